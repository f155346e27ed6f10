import { type BeforeApplicationShutdown, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { type CelEngine } from '@flint/conditions';
import { EventStreamQuerySchema } from '@flint/contracts';
import type { ArchivedEvent } from '@flint/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import type { PollingFeed } from '../runs/polling-feed';
import { SseStreams, sseFrame } from '../runs/sse-streams';
import { eventSummary, visibleOwner } from './event-archive';
import { compileEventFilter } from './event-filter';

/** The archive's new events, polled once per interval for every open stream of this replica. */
export class EventFeed {
  constructor(
    readonly feed: PollingFeed<ArchivedEvent>,
    readonly engine: CelEngine,
  ) {}
}

/**
 * `GET /api/events/stream`: events as the evaluator archives them, as server-sent events
 * (`event: event`, the event as the listing shows it), filtered and owner-scoped like the listing.
 * Clients send the key in the `Authorization` header, as on the runs stream.
 */
@Controller('api/events')
export class EventStreamController implements BeforeApplicationShutdown {
  private readonly streams = new SseStreams();

  constructor(private readonly events: EventFeed) {}

  @Get('stream')
  stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const filters = parseRequest(EventStreamQuerySchema, query, 'query');
    // Compiled before the stream opens, so a bad filter is a 400 and not a silent stream.
    const filter =
      filters.filter === undefined
        ? undefined
        : compileEventFilter(this.events.engine, filters.filter);
    const owner = visibleOwner(principal, filters.owner);
    this.streams.start(request, reply, 'streaming archived events', (send) =>
      // A scoped key asking for another owner's events sees none, as the listing answers.
      owner === null
        ? () => undefined
        : this.events.feed.subscribe({
            accepts: (event) =>
              (owner === undefined || event.owner === owner) &&
              (filters.source === undefined || event.sourceId === filters.source) &&
              (filters.type === undefined || event.type === filters.type) &&
              (filter === undefined || filter(event.event)),
            onItem: (event) => send(sseFrame('event', eventSummary(event))),
            onOverflow: () => send(sseFrame('overflow', {})),
          }),
    );
  }

  /** Ends every open stream before the server closes, which would otherwise wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.streams.closeAll();
    await this.events.feed.close();
  }
}
