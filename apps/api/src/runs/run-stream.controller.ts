import { type BeforeApplicationShutdown, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { RunStreamQuerySchema } from '@flint/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, ownerScope, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RunChangeFeed } from './run-change-feed';

/** A comment line now and then keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/runs/stream`: runs as they are claimed and change, as server-sent events (`event: run`,
 * the run as a listing shows it), owner-scoped like the listing. Clients send the key in the
 * `Authorization` header like on every route, so they read the stream with `fetch` (the browser's
 * `EventSource` cannot send headers, and a key in a URL would land in logs).
 */
@Controller('api/runs')
export class RunStreamController implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

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
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const send = (text: string) => {
      if (!raw.writableEnded) raw.write(text);
    };
    send('retry: 3000\n: streaming run changes\n\n');
    // A scoped key asking for another owner's runs sees none, as the listing answers an empty page.
    const unsubscribe =
      scope !== undefined && filters.owner !== undefined && filters.owner !== scope
        ? () => undefined
        : this.feed.subscribe({
            filter: {
              ...(owner === undefined ? {} : { owner }),
              ...(filters.trigger === undefined ? {} : { trigger: filters.trigger }),
              ...(filters.status === undefined ? {} : { status: filters.status }),
            },
            onRun: (run) => send(`event: run\ndata: ${JSON.stringify(run)}\n\n`),
            onOverflow: () => send('event: overflow\ndata: {}\n\n'),
          });
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const close = () => {
      if (!this.open.delete(close)) return;
      clearInterval(keepAlive);
      unsubscribe();
      if (!raw.writableEnded) raw.end();
    };
    this.open.add(close);
    request.raw.on('close', close);
  }

  /** Ends every open stream before the server closes, which would otherwise wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const close of [...this.open]) close();
    await this.feed.close();
  }
}
