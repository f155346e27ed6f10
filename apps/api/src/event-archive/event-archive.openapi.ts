import {
  ArchivedEventDetailSchema,
  ArchivedEventIdParamsSchema,
  ArchivedEventPageSchema,
  ArchivedEventSummarySchema,
  EventListQuerySchema,
  EventStreamQuerySchema,
  ReplayRequestSchema,
  ReplayResultSchema,
} from '@flint/contracts';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const { ArchivedEventPage, ArchivedEventDetail, ReplayResult } = components({
  ArchivedEventPage: ArchivedEventPageSchema,
  ArchivedEventDetail: ArchivedEventDetailSchema,
  ReplayResult: ReplayResultSchema,
});

const tag = 'Event archive';

/** The event archive: listing, one event with its decisions, following, replaying. */
export const eventArchiveRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/events',
    tag,
    access: 'viewer',
    summary: 'List archived events',
    description:
      'Every event the evaluator consumed within the retention (7 days by default), newest first ' +
      'by acceptance time. Filter by source, type, owner, time range, the run an event caused, ' +
      'whether it fired a trigger, and a CEL `filter` over the event; follow `nextCursor` for ' +
      'more. With `filter`, at most 5,000 events are read per page: a page can then hold fewer ' +
      'items and still have a `nextCursor`. A scoped key sees only its owner’s events.',
    query: EventListQuerySchema,
    responses: { 200: { description: 'A page of events.', schema: ArchivedEventPage } },
  },
  {
    method: 'GET',
    path: '/api/events/stream',
    tag,
    access: 'viewer',
    summary: 'Follow events as they are archived (server-sent events)',
    description:
      'A `text/event-stream` that stays open: an `event: event` whose `data` is the event as the ' +
      'listing shows it, each time the evaluator archives one, from the moment of connecting on; ' +
      '`event: overflow` when more events came at once than the stream carries; a comment line ' +
      'every 15 s. Filters as the listing (source, type, owner, CEL `filter`); a scoped key sees ' +
      'its owner’s events only. Send the key in the Authorization header.',
    query: EventStreamQuerySchema,
    responses: {
      200: {
        description:
          'The stream (`text/event-stream`); each `data` line of an `event: event` is this JSON.',
        schema: ArchivedEventSummarySchema,
      },
    },
  },
  {
    method: 'GET',
    path: '/api/events/:eventId',
    tag,
    access: 'viewer',
    summary: 'Get an archived event with its decisions',
    description:
      'The CloudEvent, and for each trigger the evaluator considered what it decided: fired ' +
      '(with the run id), or why not (a `match` field that differed, the false part of the ' +
      'condition with its operands’ values, deduplicated by which run, batched, rate-limited, ' +
      'debounced, waiting for a compound member). An id archived twice (sent twice) answers the ' +
      'newest.',
    params: ArchivedEventIdParamsSchema,
    responses: {
      200: { description: 'The event.', schema: ArchivedEventDetail },
      404: errorResponse('Not in the archive (or another owner’s event).'),
    },
  },
  {
    method: 'POST',
    path: '/api/events/replay',
    tag,
    access: 'editor',
    summary: 'Replay archived events',
    description:
      'Publishes the archived events accepted in `[since, until)` that match the filters again, ' +
      'oldest first, each with a fresh id, accepted now and marked with the id it replays ' +
      '(`flintreplayof`; the archive lists it with `replayOf`). Offered to every trigger, or to ' +
      '`trigger` only. A trigger the original already fired is not offered it again unless ' +
      '`rerun` is true, so a replay does not double runs; with `rerun` its runs are new ones ' +
      '(the replayed event is deduplicated by its own id). Replayed events are not replayed ' +
      'again. Answers once Kafka has every replayed event.',
    body: ReplayRequestSchema,
    responses: {
      200: { description: 'What was replayed.', schema: ReplayResult },
      404: errorResponse('No such trigger (or it belongs to another owner).'),
      503: errorResponse('Kafka did not acknowledge in time: `kafka_unavailable`.'),
    },
  },
];
