import { z } from 'zod';
import { TopicNameSchema } from '../topics';
import {
  CelExpressionSchema,
  HeadersSchema,
  HttpUrlSchema,
  WorkflowNameSchema,
} from '../primitives';
import { DurationSchema } from '../duration';
import { discriminatorError, hasNoDuplicates, strictObject } from '../strict';

export const TARGET_TYPES = ['http', 'kafka', 'local'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const HTTP_TARGET_METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;

const timeoutMs = (fallback: number) =>
  z
    .number()
    .int('must be a whole number of milliseconds')
    .min(1, 'must be at least 1')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(fallback);

export const COMPLETIONS = ['accepted', 'callback'] as const;

/**
 * When a remote workflow's run is over. `accepted` (the default): once the target accepted the
 * start. `callback`: the run stays STARTED until the workflow reports its outcome to
 * `POST /api/runs/{runId}/complete` with the single-use token the start carried, or fails with
 * TimeoutError after `completionTimeout`.
 */
const completionFields = {
  completion: z
    .enum(COMPLETIONS, { error: `must be one of: ${COMPLETIONS.join(', ')}` })
    .optional()
    .describe('accepted (the default) or callback: wait for the workflow to report its outcome.'),
  completionTimeout: DurationSchema.optional().describe(
    'With completion: callback, how long to wait for the outcome (default 1h).',
  ),
};

/** How long a callback target's run waits for its outcome when the target does not say. */
export const DEFAULT_COMPLETION_TIMEOUT_MS = 3_600_000;

/** In an HTTP target's `cancel.url`, replaced by the run id (URL-encoded). */
export const RUN_ID_PLACEHOLDER = '{{runId}}';

/**
 * How an HTTP target's workflow is asked to stop when its run is cancelled after the start may have
 * reached it: one request, the cancellation (`WorkflowCancellationSchema`) as its JSON body.
 */
export const HttpCancelSchema = strictObject({
  url: HttpUrlSchema.describe(
    `Where the cancellation goes; ${RUN_ID_PLACEHOLDER} is replaced by the run id.`,
  ),
  method: z
    .enum(HTTP_TARGET_METHODS, { error: `must be one of: ${HTTP_TARGET_METHODS.join(', ')}` })
    .default('POST'),
  headers: HeadersSchema.default({}).describe(
    'Sent with the cancellation, literal or { secretRef }, as the target’s own headers.',
  ),
});
export type HttpCancel = z.infer<typeof HttpCancelSchema>;

/** A Kafka target's workflow is asked to stop with a `flint.workflow.cancel` command on `topic`. */
export const KafkaCancelSchema = strictObject({
  topic: TopicNameSchema.describe('Where the cancellation command goes, keyed by run id.'),
});
export type KafkaCancel = z.infer<typeof KafkaCancelSchema>;

export const HttpTargetSchema = strictObject({
  type: z.literal('http'),
  url: HttpUrlSchema,
  method: z
    .enum(HTTP_TARGET_METHODS, { error: `must be one of: ${HTTP_TARGET_METHODS.join(', ')}` })
    .default('POST'),
  headers: HeadersSchema.default({}),
  timeoutMs: timeoutMs(10_000),
  /** Status codes that count as started; any 2xx when absent. */
  successCodes: z
    .array(
      z
        .number()
        .int('must be a whole number')
        .min(100, 'must be an HTTP status code (100-599)')
        .max(599, 'must be an HTTP status code (100-599)'),
    )
    .min(1, 'must not be empty; leave it out to accept any 2xx')
    .refine(hasNoDuplicates, 'must not repeat a status code')
    .optional(),
  ...completionFields,
  cancel: HttpCancelSchema.optional().describe(
    'A request that asks the workflow to stop when its run is cancelled while running.',
  ),
});

export const KafkaTargetSchema = strictObject({
  type: z.literal('kafka'),
  topic: TopicNameSchema,
  /** CEL expression for the message key. */
  key: CelExpressionSchema.optional(),
  ...completionFields,
  cancel: KafkaCancelSchema.optional().describe(
    'A command that asks the workflow to stop when its run is cancelled while running.',
  ),
});

export const LocalTargetSchema = strictObject({
  type: z.literal('local'),
  workflow: WorkflowNameSchema,
  timeoutMs: timeoutMs(30_000),
});

/** The workflow a trigger starts. */
export const TargetSchema = z.discriminatedUnion(
  'type',
  [HttpTargetSchema, KafkaTargetSchema, LocalTargetSchema],
  {
    error: discriminatorError(
      'type',
      'target type',
      TARGET_TYPES,
      `required: the workflow to start, with type one of ${TARGET_TYPES.join(', ')}`,
    ),
  },
);
export type Target = z.infer<typeof TargetSchema>;
export type HttpTarget = z.infer<typeof HttpTargetSchema>;
export type KafkaTarget = z.infer<typeof KafkaTargetSchema>;
export type LocalTarget = z.infer<typeof LocalTargetSchema>;
