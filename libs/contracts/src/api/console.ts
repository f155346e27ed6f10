import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, OwnerSchema } from '../primitives';
import { RunStatusSchema } from '../run-status';
import { ApiRoleSchema } from './access';
import { ApiIssueSchema } from './common';

/**
 * What the web console needs beyond the management API: who the key is, the server's settings the
 * screens link with, the one-time login link of the local stack, live validation of a draft
 * trigger, and aggregates that would otherwise cost one request per row.
 */

/** `GET /api/me`: the key making the request, so a client shows only what it may do. */
export const PrincipalInfoSchema = z.object({
  keyId: z.string().describe('The API key id; `bootstrap` for FLINT_ADMIN_API_KEY.'),
  role: ApiRoleSchema,
  owner: OwnerSchema.optional().describe('The owner the key is limited to; absent for admins.'),
});
export type PrincipalInfo = z.infer<typeof PrincipalInfoSchema>;

/** `GET /api/console/settings`: server settings the console links with. */
export const ConsoleSettingsSchema = z.object({
  traceUrlTemplate: z
    .string()
    .optional()
    .describe('FLINT_TRACE_URL_TEMPLATE: a trace viewer URL with `{traceId}` in it.'),
  webhookBaseUrl: z
    .string()
    .optional()
    .describe('FLINT_WEBHOOK_PUBLIC_URL: where callers reach the webhook service.'),
});
export type ConsoleSettings = z.infer<typeof ConsoleSettingsSchema>;

/** `POST /api/console/login`: a one-time login token exchanged for the key it was issued for. */
export const ConsoleLoginRequestSchema = z.object({ token: z.string().min(1).max(256) }).strict();
export const ConsoleLoginResponseSchema = z.object({
  key: z.string().describe('The API key; keep it in the browser session only.'),
});
export type ConsoleLoginResponse = z.infer<typeof ConsoleLoginResponseSchema>;

/** `POST /api/triggers/validate`: what saving the trigger would say, without saving it. */
export const TriggerValidationSchema = z.object({
  valid: z.boolean(),
  issues: z
    .array(ApiIssueSchema)
    .describe('Every problem by path; CEL compile errors carry their position.'),
});
export type TriggerValidation = z.infer<typeof TriggerValidationSchema>;

const HOUR_MS = 3_600_000;
/** The longest range the overview answers for: its per-minute series stays small. */
export const MAX_OVERVIEW_RANGE_MS = 24 * HOUR_MS;

/** `GET /api/overview`: the last hour unless told otherwise, at most a day. */
export const OverviewQuerySchema = z
  .object({
    since: IsoDateTimeSchema.optional().describe('From this moment on (default: an hour ago).'),
    until: IsoDateTimeSchema.optional().describe('Before this moment (default: now).'),
  })
  .strict();
export type OverviewQuery = z.infer<typeof OverviewQuerySchema>;

export const OverviewMinuteSchema = z.object({
  minute: IsoDateTimeSchema,
  events: z.number().int().describe('Events the evaluator consumed in the minute.'),
  runsStarted: z.number().int().describe('Runs whose workflow started in the minute.'),
  runsSucceeded: z.number().int(),
  runsFailed: z.number().int(),
});
export type OverviewMinute = z.infer<typeof OverviewMinuteSchema>;

export const SOURCE_STATES = [
  'up',
  'failing',
  'starting',
  'failed',
  'invalid',
  'down',
  'disabled',
  'passive',
] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

/**
 * How a source is doing, from what the provider replicas running it report every few seconds:
 * `up` (a replica runs it and its last attempt succeeded), `failing` (it runs, but its last
 * attempts failed: polls answered with errors, a schedule that cannot fire, refused webhook calls, a
 * connection that keeps dropping; `lastError` says why), `starting` (waiting to start or for its
 * lease), `failed` (its run failed; it restarts after a backoff), `invalid` (its configuration cannot
 * run), `down` (no replica reported it lately: its provider service is not running), `disabled`, or
 * `passive` (`event` and `run-status` sources: the evaluator matches their events by type, nothing
 * runs). Every running kind tells its last success, its last error with its time and how many
 * attempts failed in a row; a connection-based source also its connection, last event and lag.
 */
export const SourceHealthSchema = z.object({
  state: z.enum(SOURCE_STATES),
  message: z.string().optional().describe('Why it is failing, failed or down; never a secret.'),
  replicas: z.number().int().describe('Provider replicas that reported the source lately.'),
  reportedAt: IsoDateTimeSchema.optional().describe('The latest report.'),
  lastSuccessAt: IsoDateTimeSchema.optional().describe(
    'When its work last succeeded: a poll, a fired slot, a folder scan, an accepted webhook call, a connection or event upstream.',
  ),
  lastError: z.string().optional().describe('Its latest failure, even if it recovered since.'),
  lastErrorAt: IsoDateTimeSchema.optional().describe('When `lastError` happened.'),
  consecutiveFailures: z
    .number()
    .int()
    .optional()
    .describe('Attempts that failed since the last success (0 once one succeeds).'),
  connection: z
    .enum(['connecting', 'up', 'reconnecting', 'failed'])
    .optional()
    .describe("Of a connection-based source (the subscriber's kinds): its link upstream."),
  lastEventAt: IsoDateTimeSchema.optional().describe(
    'When a connection-based source last published an event.',
  ),
  lag: z
    .number()
    .int()
    .optional()
    .describe('Messages a connection-based source is behind upstream, where the protocol tells.'),
});
export type SourceHealth = z.infer<typeof SourceHealthSchema>;

export const OverviewSchema = z.object({
  since: IsoDateTimeSchema,
  until: IsoDateTimeSchema,
  totals: z.object({
    events: z.number().int(),
    runsStarted: z.number().int(),
    runsSucceeded: z.number().int(),
    runsFailed: z.number().int(),
  }),
  series: z.array(OverviewMinuteSchema).describe('Every minute of the range, oldest first.'),
  sources: z.object({
    total: z.number().int(),
    enabled: z.number().int(),
    down: z
      .array(
        z.object({
          id: IdSchema,
          owner: OwnerSchema,
          provider: z.string(),
          health: SourceHealthSchema,
        }),
      )
      .describe('Enabled sources that are failing, failed, invalid or down.'),
  }),
  triggers: z.object({ total: z.number().int(), enabled: z.number().int() }),
  deadLetters: z
    .object({
      waiting: z
        .number()
        .int()
        .describe('Dead letters neither re-sent nor purged, whenever they failed.'),
      inRange: z.number().int().describe('Dead letters (not purged) that failed in the range.'),
    })
    .optional()
    .describe('Admin keys only: dead letters are not scoped to an owner.'),
});
export type Overview = z.infer<typeof OverviewSchema>;

/** Up to a page of ids, comma-separated, for the per-row aggregates of a listing. */
const IdListSchema = z
  .string()
  .transform((text) => text.split(',').filter((id) => id !== ''))
  .pipe(z.array(IdSchema).min(1, 'must name at least one id').max(500, 'at most 500 ids'))
  .describe('Comma-separated ids, like a page of a listing.');

/** `GET /api/activity/triggers?ids=`. */
export const TriggerActivityQuerySchema = z.object({ ids: IdListSchema }).strict();
export const TriggerActivitySummarySchema = z.object({
  triggerId: z.string(),
  runs: z
    .object({
      started: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
    })
    .describe('Runs claimed in the last 24 hours, by outcome.'),
  lastRunAt: IsoDateTimeSchema.optional().describe('When its newest run was claimed.'),
  lastRunStatus: RunStatusSchema.optional(),
});
export type TriggerActivitySummary = z.infer<typeof TriggerActivitySummarySchema>;
export const TriggerActivityListSchema = z.object({
  items: z.array(TriggerActivitySummarySchema).describe('One per visible trigger asked for.'),
});
export type TriggerActivityList = z.infer<typeof TriggerActivityListSchema>;

/** `GET /api/activity/sources?ids=`. */
export const SourceActivityQuerySchema = z.object({ ids: IdListSchema }).strict();
export const SourceActivitySummarySchema = z.object({
  sourceId: z.string(),
  health: SourceHealthSchema,
  eventsLastHour: z.number().int().describe('Events the evaluator consumed from it.'),
  lastEventAt: IsoDateTimeSchema.optional().describe('When its newest recent event was accepted.'),
});
export type SourceActivitySummary = z.infer<typeof SourceActivitySummarySchema>;
export const SourceActivityListSchema = z.object({
  items: z.array(SourceActivitySummarySchema).describe('One per visible source asked for.'),
});
export type SourceActivityList = z.infer<typeof SourceActivityListSchema>;

/** `GET /api/runs/stream`: the same filters as the run listing, minus paging and time. */
export const RunStreamQuerySchema = z
  .object({
    trigger: IdSchema.optional().describe('Only runs of this trigger.'),
    status: RunStatusSchema.optional().describe('Only runs that reach this status.'),
    owner: OwnerSchema.optional().describe('Only runs of this owner’s triggers (admin keys).'),
  })
  .strict();
export type RunStreamQuery = z.infer<typeof RunStreamQuerySchema>;
