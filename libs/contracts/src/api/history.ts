import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, OwnerSchema } from '../primitives';
import { RunIdSchema } from '../run-id';
import { RunErrorSchema, RunStatusSchema } from '../run-status';
import { CursorSchema, limitQuerySchema, pageSchema, PageLimitSchema } from './common';

const SinceSchema = IsoDateTimeSchema.optional().describe('Only from this moment on (inclusive).');
const UntilSchema = IsoDateTimeSchema.optional().describe('Only before this moment (exclusive).');

const runFilters = {
  status: RunStatusSchema.optional().describe('Only runs with this status.'),
  owner: OwnerSchema.optional().describe('Only runs of this owner’s triggers.'),
  since: SinceSchema,
  until: UntilSchema,
  limit: PageLimitSchema,
  cursor: CursorSchema.optional(),
};

/** `GET /api/runs`: newest first, by when the runner claimed the run. */
export const RunListQuerySchema = z
  .object({ trigger: IdSchema.optional().describe('Only runs of this trigger.'), ...runFilters })
  .strict();
export type RunListQuery = z.infer<typeof RunListQuerySchema>;

/** `GET /api/triggers/{id}/runs`. */
export const TriggerRunListQuerySchema = z.object(runFilters).strict();
export type TriggerRunListQuery = z.infer<typeof TriggerRunListQuerySchema>;

export const RunIdParamsSchema = z.object({ runId: RunIdSchema });

/** One run in a listing. */
export const RunSummarySchema = z.object({
  runId: z.string(),
  triggerId: z.string(),
  triggerVersion: z.number().int(),
  owner: z.string(),
  status: RunStatusSchema,
  /** Attempts begun so far. */
  attempts: z.number().int(),
  requestedAt: IsoDateTimeSchema.describe('When the evaluator asked for the run.'),
  startedAt: IsoDateTimeSchema.optional(),
  finishedAt: IsoDateTimeSchema.optional(),
  durationMs: z
    .number()
    .int()
    .optional()
    .describe('From started (else requested) to finished; absent while the run is not finished.'),
  error: RunErrorSchema.optional().describe('The error of the last failed attempt.'),
  eventIds: z.array(z.string()).describe('The events that caused the run.'),
  priority: z
    .number()
    .int()
    .describe(
      "Which queued runs of its concurrency key start first, higher first (its trigger's `priority`; 0 without one).",
    ),
  traceId: z
    .string()
    .optional()
    .describe('The OpenTelemetry trace of the causing event: look the run up in your tracing UI.'),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunPageSchema = pageSchema(RunSummarySchema);
export type RunPage = z.infer<typeof RunPageSchema>;

export const RunAttemptSchema = z.object({
  attempt: z.number().int(),
  /** The runner replica that made the attempt. */
  runner: z.string(),
  startedAt: IsoDateTimeSchema,
  finishedAt: IsoDateTimeSchema.optional(),
  durationMs: z.number().int().optional(),
  outcome: z.enum(['succeeded', 'retry', 'failed', 'lost', 'cancelled']).optional(),
  error: RunErrorSchema.optional(),
  response: z
    .object({ status: z.number().int(), excerpt: z.string() })
    .optional()
    .describe('The target’s HTTP answer: status and the start of its body.'),
});
export type RunAttempt = z.infer<typeof RunAttemptSchema>;

/** The request that asked a cancelled run's remote workflow to stop (its target's `cancel`). */
export const RunCancellationViewSchema = z.object({
  status: z
    .enum(['pending', 'sent', 'failed'])
    .describe('pending: to be sent (again); sent: delivered; failed: given up on.'),
  tries: z.number().int().describe('Tries so far.'),
  createdAt: IsoDateTimeSchema.describe('When the cancel committed it.'),
  nextTryAt: IsoDateTimeSchema.optional().describe('When the next try is due, while pending.'),
  finishedAt: IsoDateTimeSchema.optional().describe('When it was delivered or given up on.'),
  error: RunErrorSchema.optional().describe('Why the last try failed.'),
  responseStatus: z.number().int().optional().describe('The target’s HTTP answer to the last try.'),
});
export type RunCancellationView = z.infer<typeof RunCancellationViewSchema>;

/** `GET /api/runs/{runId}`: everything about one run. */
export const RunDetailSchema = RunSummarySchema.extend({
  maxAttempts: z.number().int(),
  input: z.unknown().describe('The input the workflow was started with.'),
  result: z.unknown().optional().describe('What the workflow returned, for a SUCCEEDED run.'),
  statusReason: z
    .string()
    .optional()
    .describe('Why the run is SKIPPED, or what a queued run waits for.'),
  queued: z.boolean(),
  dedupeKey: z.string().optional(),
  concurrencyKey: z.string().optional(),
  provider: z.string().describe('The provider of the first causing event.'),
  targetType: z.enum(['http', 'kafka', 'local']),
  workflow: z.string().optional().describe('The local workflow, for a local target.'),
  acceptedAt: IsoDateTimeSchema.describe('When Flint accepted the first causing event.'),
  createdAt: IsoDateTimeSchema.describe('When the runner claimed the run.'),
  nextAttemptAt: IsoDateTimeSchema.optional(),
  logLines: z.array(z.string()).describe('What a local workflow logged.'),
  attemptHistory: z.array(RunAttemptSchema).describe('Every attempt, first first.'),
  cancelRequestedAt: IsoDateTimeSchema.optional().describe(
    'When its cancellation was asked for (`POST /api/runs/{runId}/cancel`, or a `cancelOn` event).',
  ),
  cancelledByEvent: z
    .string()
    .optional()
    .describe("The event that cancelled it through its trigger's `cancelOn`."),
  rerunOf: z.string().optional().describe('The run this one re-runs.'),
  reruns: z
    .array(z.string())
    .describe('The runs that re-run this one (the first 100), oldest first.'),
  callbackDeadline: IsoDateTimeSchema.optional().describe(
    'A callback target’s run waits for the workflow to report its outcome until then.',
  ),
  cancellationRequest: RunCancellationViewSchema.optional().describe(
    'The request that asked the remote workflow to stop, when the run was cancelled while running.',
  ),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/** `POST /api/runs/{runId}/cancel`: what became of the request. */
export const CancelRunResponseSchema = z.object({
  runId: z.string(),
  status: RunStatusSchema.describe(
    'The run’s status now: CANCELLED once the runner has cancelled it (a moment later for a ' +
      'running workflow, which sees its signal aborted).',
  ),
  cancelRequestedAt: IsoDateTimeSchema,
});
export type CancelRunResponse = z.infer<typeof CancelRunResponseSchema>;

/** `POST /api/runs/{runId}/rerun`: the input to use instead of the original run's. */
export const RerunRequestSchema = z
  .object({
    input: z
      .unknown()
      .optional()
      .describe('The new run’s input; the original run’s input when absent.'),
  })
  .strict();
export type RerunRequest = z.infer<typeof RerunRequestSchema>;

export const RerunResponseSchema = z.object({
  runId: z.string().describe('The new run: GET /api/runs/{runId} once the runner claimed it.'),
  rerunOf: z.string(),
});
export type RerunResponse = z.infer<typeof RerunResponseSchema>;

/** `GET /api/triggers/{id}/stats`: the last hour unless told otherwise. */
export const TriggerStatsQuerySchema = z
  .object({ since: SinceSchema, until: UntilSchema })
  .strict();
export type TriggerStatsQuery = z.infer<typeof TriggerStatsQuerySchema>;

export const ActivityCountsSchema = z.object({
  received: z.number().int().describe('Events that reached the trigger (its sources or types).'),
  matched: z.number().int().describe('Events that passed its match and condition.'),
  dropped: z.number().int().describe('Events its match or condition turned away.'),
  duplicate: z.number().int().describe('Events its dedupe recognised as seen.'),
  errors: z
    .number()
    .int()
    .describe('Events on which an expression (condition, key, input) failed.'),
  started: z.number().int().describe('Runs of the trigger that started.'),
  failed: z.number().int().describe('Runs of the trigger that ended FAILED.'),
});
export type ActivityCounts = z.infer<typeof ActivityCountsSchema>;

export const TriggerStatsSchema = z.object({
  triggerId: z.string(),
  since: IsoDateTimeSchema,
  until: IsoDateTimeSchema,
  totals: ActivityCountsSchema,
  series: z
    .array(ActivityCountsSchema.extend({ minute: IsoDateTimeSchema }))
    .describe('Per minute, oldest first; minutes without any activity are left out.'),
});
export type TriggerStats = z.infer<typeof TriggerStatsSchema>;

export const MAX_RECENT_EVENTS = 100;

/** `GET /api/sources/{id}/events`. */
export const RecentEventsQuerySchema = z
  .object({
    limit: limitQuerySchema(MAX_RECENT_EVENTS, 20, 'Events to return'),
  })
  .strict();

export const RecentEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  time: IsoDateTimeSchema,
  acceptedAt: IsoDateTimeSchema,
  provider: z.string(),
  subject: z.string().optional(),
  traceId: z.string().optional(),
  dataExcerpt: z
    .string()
    .optional()
    .describe('The start of the event’s data as JSON (or text); absent when it has none.'),
  dataTruncated: z.boolean().describe('True when `dataExcerpt` is only the start of the data.'),
});
export type RecentEvent = z.infer<typeof RecentEventSchema>;

export const RecentEventsSchema = z.object({
  sourceId: z.string(),
  items: z.array(RecentEventSchema).describe('Newest first.'),
});
export type RecentEvents = z.infer<typeof RecentEventsSchema>;

/** The header a callback target's start carries its run's token in, and its callback sends back. */
export const CALLBACK_TOKEN_HEADER = 'x-flint-callback-token';

export const CompleteRunHeadersSchema = z.object({
  [CALLBACK_TOKEN_HEADER]: z
    .string()
    .min(1, 'required: the token the start carried')
    .max(256, 'must be at most 256 characters')
    .describe('The single-use token the run’s start carried (same header name).'),
});

/** `POST /api/runs/{runId}/complete`: a remote workflow's outcome, `result` or `error`. */
export const CompleteRunRequestSchema = z
  .object({
    result: z.unknown().optional().describe('What the workflow produced: the run SUCCEEDED.'),
    error: RunErrorSchema.optional().describe(
      'Why it failed, with a `type` run-status sources can filter on: the run FAILED.',
    ),
  })
  .strict()
  .refine((body) => body.result === undefined || body.error === undefined, {
    message: 'give result or error, not both',
    path: ['error'],
  });
export type CompleteRunRequest = z.infer<typeof CompleteRunRequestSchema>;

export const CompleteRunResponseSchema = z.object({
  runId: z.string(),
  status: RunStatusSchema,
});
export type CompleteRunResponse = z.infer<typeof CompleteRunResponseSchema>;
