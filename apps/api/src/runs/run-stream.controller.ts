import { type BeforeApplicationShutdown, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { RunStreamQuerySchema } from '@flint/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, ownerScope, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RunChangeFeed } from './run-change-feed';
import { SseStreams, sseFrame } from './sse-streams';

/**
 * `GET /api/runs/stream`: runs as they are claimed and change, as server-sent events (`event: run`,
 * the run as a listing shows it), owner-scoped like the listing. Clients send the key in the
 * `Authorization` header like on every route, so they read the stream with `fetch` (the browser's
 * `EventSource` cannot send headers, and a key in a URL would land in logs).
 */
@Controller('api/runs')
export class RunStreamController implements BeforeApplicationShutdown {
  private readonly streams = new SseStreams();

  constructor(private readonly feed: RunChangeFeed) {}

  @Get('stream')
  stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const filters = parseRequest(RunStreamQuerySchema, query, 'query');
    const scope = ownerScope(principal);
    const owner = scope ?? filters.owner;
    // A scoped key asking for another owner's runs sees none, as the listing answers an empty page.
    const none = scope !== undefined && filters.owner !== undefined && filters.owner !== scope;
    this.streams.start(request, reply, 'streaming run changes', (send) =>
      none
        ? () => undefined
        : this.feed.subscribe({
            filter: {
              ...(owner === undefined ? {} : { owner }),
              ...(filters.trigger === undefined ? {} : { trigger: filters.trigger }),
              ...(filters.status === undefined ? {} : { status: filters.status }),
            },
            onRun: (run) => send(sseFrame('run', run)),
            onOverflow: () => send(sseFrame('overflow', {})),
          }),
    );
  }

  /** Ends every open stream before the server closes, which would otherwise wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.streams.closeAll();
    await this.feed.close();
  }
}
