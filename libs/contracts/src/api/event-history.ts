import { z } from 'zod';
import { DecisionSchema } from '../history/decision';
import { IdSchema, IsoDateTimeSchema, OwnerSchema } from '../primitives';
import { RunIdSchema } from '../run-id';
import { CursorSchema, pageSchema, PageLimitSchema } from './common';

/** A CEL filter over the archived event (`event`), like `event.data.ref == "refs/heads/main"`. */
const EventFilterSchema = z
  .string()
  .min(1)
  .max(4096)
  .describe(
    'A CEL expression over the event (`event.type`, `event.data…`) that must be true, like ' +
      '`event.data.total > 100`.',
  );

const archiveFilters = {
  source: z.string().min(1).max(253).optional().describe('Only events of this source id.'),
  type: z.string().min(1).max(512).optional().describe('Only events of this type.'),
  owner: OwnerSchema.optional().describe('Only events of this owner (an admin key’s choice).'),
  filter: EventFilterSchema.optional(),
};

const timeRange = {
  since: IsoDateTimeSchema.optional().describe('Only events accepted from this moment on.'),
  until: IsoDateTimeSchema.optional().describe('Only events accepted before this moment.'),
};

/** `GET /api/events`: newest first, by when Flint accepted the event. */
export const EventListQuerySchema = z
  .object({
    ...archiveFilters,
    ...timeRange,
    run: RunIdSchema.optional().describe('Only the events that caused this run.'),
    fired: z
      .enum(['true', 'false'])
      .transform((text) => text === 'true')
      .optional()
      .describe('`true`: only events that fired a trigger; `false`: only those that fired none.'),
    limit: PageLimitSchema,
    cursor: CursorSchema.optional(),
  })
  .strict();
export type EventListQuery = z.infer<typeof EventListQuerySchema>;

/** `GET /api/events/stream`: the archive's new events as they come. */
export const EventStreamQuerySchema = z.object(archiveFilters).strict();
export type EventStreamQuery = z.infer<typeof EventStreamQuerySchema>;

export const ArchivedEventIdParamsSchema = z.object({
  eventId: z.string().min(1).max(512),
});

/** One archived event in a listing. */
export const ArchivedEventSummarySchema = z.object({
  id: z.string(),
  type: z.string(),
  sourceId: z.string(),
  provider: z.string(),
  owner: z.string().optional().describe('Absent for an event no owner is known for.'),
  acceptedAt: IsoDateTimeSchema.describe('When Flint accepted the event.'),
  archivedAt: IsoDateTimeSchema.describe('When the evaluator consumed and archived it.'),
  fired: z
    .array(z.string())
    .describe('The triggers it fired (a run requested, or held by a rate limit).'),
  considered: z.number().int().describe('How many triggers the evaluator considered for it.'),
  replayOf: z.string().optional().describe('The archived event this one replays.'),
});
export type ArchivedEventSummary = z.infer<typeof ArchivedEventSummarySchema>;

export const ArchivedEventPageSchema = pageSchema(ArchivedEventSummarySchema).extend({
  scanned: z
    .number()
    .int()
    .optional()
    .describe(
      'With `filter`: the events read to fill the page. A page may hold fewer items than ' +
        '`limit` and still have a `nextCursor` when the scan limit was reached first.',
    ),
});
export type ArchivedEventPage = z.infer<typeof ArchivedEventPageSchema>;

/** `GET /api/events/{eventId}`: the event with what each trigger made of it. */
export const ArchivedEventDetailSchema = ArchivedEventSummarySchema.extend({
  event: z.record(z.string(), z.unknown()).describe('The CloudEvent as Flint accepted it.'),
  decisions: z
    .array(DecisionSchema)
    .describe('Per trigger the evaluator considered: whether it fired, and why not.'),
  decisionsOmitted: z
    .number()
    .int()
    .describe('Decisions not kept past the per-event cap (`MAX_DECISIONS_PER_EVENT`).'),
});
export type ArchivedEventDetail = z.infer<typeof ArchivedEventDetailSchema>;

export const MAX_REPLAY_EVENTS = 10_000;

/** `POST /api/events/replay`. */
export const ReplayRequestSchema = z
  .object({
    since: IsoDateTimeSchema.describe('Replay events accepted from this moment on.'),
    until: IsoDateTimeSchema.describe('… and before this one.'),
    source: archiveFilters.source,
    type: archiveFilters.type,
    owner: archiveFilters.owner,
    filter: EventFilterSchema.optional(),
    trigger: IdSchema.optional().describe(
      'Offer the replayed events to this trigger only (default: to every trigger).',
    ),
    rerun: z
      .boolean()
      .optional()
      .describe(
        'Let triggers that an original event already fired fire again, as new runs (default ' +
          'false: a trigger is not offered the events it already fired).',
      ),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPLAY_EVENTS)
      .optional()
      .describe(
        `Replay at most this many events, oldest first (default and most: ${MAX_REPLAY_EVENTS}).`,
      ),
  })
  .strict()
  .refine((request) => Date.parse(request.until) > Date.parse(request.since), {
    path: ['until'],
    message: 'must come after since',
  });
export type ReplayRequest = z.infer<typeof ReplayRequestSchema>;

export const ReplayResultSchema = z.object({
  replayed: z
    .array(z.object({ originalId: z.string(), eventId: z.string() }))
    .describe('Each replayed event: its original’s id and its own fresh id, oldest first.'),
  skipped: z
    .number()
    .int()
    .describe('Matching events not replayed: every trigger they would be offered already fired.'),
  more: z.boolean().describe('True when more events matched than `limit` allowed.'),
});
export type ReplayResult = z.infer<typeof ReplayResultSchema>;
