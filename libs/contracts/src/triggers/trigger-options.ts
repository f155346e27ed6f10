import { z } from 'zod';
import { DurationSchema } from '../duration';
import { CelExpressionSchema, EventTypeSchema, IdSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';

/** A dotted path into the CloudEvent, e.g. `type` or `data.ref`. */
const EventPathSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/,
    'must be a dotted path into the event like "type" or "data.ref"',
  );

const MatchBoundSchema = z.union([z.number(), z.string()], {
  error: 'must be a number or a string',
});

const MATCH_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'prefix', 'exists'] as const;

const MatchOperatorsSchema = strictObject({
  gt: MatchBoundSchema.optional(),
  gte: MatchBoundSchema.optional(),
  lt: MatchBoundSchema.optional(),
  lte: MatchBoundSchema.optional(),
  prefix: z.string().optional(),
  exists: z.boolean().optional(),
}).refine((operators) => MATCH_OPERATORS.some((name) => operators[name] !== undefined), {
  message: `must set at least one of: ${MATCH_OPERATORS.join(', ')}`,
});

const MatchScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null',
});

/** One condition of `match`: equals a value, is any of a list, or passes comparison operators. */
export const MatchValueSchema = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(MatchScalarSchema).min(1, 'must list at least one value'),
    MatchOperatorsSchema,
  ],
  {
    error: `must be a value, a list of values (any of) or an object with ${MATCH_OPERATORS.join(', ')}`,
  },
);

/** Structured shorthand for simple conditions; all entries must hold (and with `condition`, too). */
export const MatchSchema = z
  .record(EventPathSchema, MatchValueSchema)
  .refine((match) => Object.keys(match).length > 0, 'must have at least one entry');
export type Match = z.infer<typeof MatchSchema>;

export const DEFAULT_DEDUPE_WINDOW = '24h';

/** Within the window, events with the same key start one run; without a key the event id is the key. */
export const DedupeSchema = strictObject({
  key: CelExpressionSchema.optional(),
  window: DurationSchema.default(DEFAULT_DEDUPE_WINDOW),
});
export type Dedupe = z.infer<typeof DedupeSchema>;

export const BatchSchema = strictObject({
  size: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .optional(),
  timeout: DurationSchema.optional(),
  /** Separate batches per key value. */
  key: CelExpressionSchema.optional(),
})
  .refine((batch) => batch.size !== undefined || batch.timeout !== undefined, {
    message: 'set "size", "timeout" or both',
  })
  .describe(
    'Collects events into one run: when `size` events are in, or `timeout` after the first one. ' +
      'A batch belongs to a partition of the events topic: events of the same key that arrive on ' +
      'different partitions (from different sources) form separate batches, each a run.',
  );
export type Batch = z.infer<typeof BatchSchema>;

export const DEBOUNCE_DELIVERY = ['last', 'all'] as const;

/**
 * One run once a key has been quiet for `period`: each matching event restarts the wait, and
 * `maxWait` bounds it from the first event. The run gets the last event, or all of them.
 */
export const DebounceSchema = strictObject({
  period: DurationSchema.describe(
    'How long the key must be quiet before the run starts, like "30s".',
  ),
  /** Separate debounces per key value; one for the whole trigger when absent. */
  key: CelExpressionSchema.optional(),
  maxWait: DurationSchema.optional().describe(
    'The run starts at the latest this long after the first event, however busy the key stays.',
  ),
  deliver: z
    .enum(DEBOUNCE_DELIVERY, {
      error: 'must be "last" (the run gets the last event) or "all" (every event, as a batch)',
    })
    .default('last'),
});
export type Debounce = z.infer<typeof DebounceSchema>;

export const RATE_LIMIT_EXCEEDED = ['drop', 'delay'] as const;

/** At most `limit` runs per key in any sliding `period`; beyond it events are dropped or delayed. */
export const RateLimitSchema = strictObject({
  limit: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000'),
  period: DurationSchema.describe('The sliding window the limit counts runs in, like "1m".'),
  /** Separate limits per key value; one for the whole trigger when absent. */
  key: CelExpressionSchema.optional(),
  onExceed: z
    .enum(RATE_LIMIT_EXCEEDED, {
      error: 'must be "drop" (no run) or "delay" (the run waits for the next free slot)',
    })
    .default('drop'),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

/**
 * An absence trigger: runs when an expected event does not come. With `after`, when no `missing`
 * event of the same key follows an `after` event within `within`; without it, when no `missing`
 * event has come for `for` since the last one (a source or type went silent). `after` and
 * `missing` name the trigger's own sources or event types.
 */
export const ExpectSchema = strictObject({
  after: z.string().min(1, "must name one of the trigger's sources or event types").optional(),
  missing: z.string().min(1, "must name one of the trigger's sources or event types"),
  within: DurationSchema.optional().describe('With `after`: how long the missing event may take.'),
  for: DurationSchema.optional().describe('Without `after`: how long a silence fires the trigger.'),
  /** Only events with equal keys answer each other (an order id); one expectation when absent. */
  key: CelExpressionSchema.optional(),
});
export type Expect = z.infer<typeof ExpectSchema>;

export const ConcurrencySchema = strictObject({
  allowConcurrent: z.boolean().default(true),
  /** Limits apply per value of this expression; one limit for the whole trigger when absent. */
  key: CelExpressionSchema.optional(),
  /** When a run is busy and no more may start: skip the new one or queue it. */
  onBusy: z.enum(['skip', 'queue'], { error: 'must be "skip" or "queue"' }).default('skip'),
  /** Most runs at once per key when concurrent runs are allowed. */
  max: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .optional(),
}).refine((concurrency) => concurrency.max === undefined || concurrency.allowConcurrent, {
  message: 'only applies when allowConcurrent is true (false already means one run at a time)',
  path: ['max'],
});
export type Concurrency = z.infer<typeof ConcurrencySchema>;

/**
 * Events that cancel the trigger's runs: one from `sources` or of `eventTypes` (reaching the trigger
 * as its own listeners would, owner checks included) for which `condition` holds asks to cancel the
 * trigger's queued or running runs whose `match` key equals the event's, or all of them without one.
 */
export const CancelOnSchema = strictObject({
  sources: z
    .array(IdSchema)
    .min(1, 'must list at least one source id')
    .refine(hasNoDuplicates, 'must not repeat a source')
    .optional(),
  eventTypes: z
    .array(EventTypeSchema)
    .min(1, 'must list at least one event type')
    .refine(hasNoDuplicates, 'must not repeat an event type')
    .optional(),
  condition: CelExpressionSchema.optional().describe(
    'CEL over `event`; only events for which it is true cancel.',
  ),
  match: CelExpressionSchema.optional().describe(
    "CEL key over `event`, evaluated on each run's causing event and on the cancelling event; equal keys cancel.",
  ),
}).refine((cancelOn) => cancelOn.sources !== undefined || cancelOn.eventTypes !== undefined, {
  message: 'needs "sources", "eventTypes" or both to know which events cancel',
  path: ['sources'],
});
export type CancelOn = z.infer<typeof CancelOnSchema>;

/** Run priorities run from `MIN_RUN_PRIORITY` to `MAX_RUN_PRIORITY`; 0 when a trigger sets none. */
export const MIN_RUN_PRIORITY = -100;
export const MAX_RUN_PRIORITY = 100;

/** A run's priority: a whole number in the allowed range. */
export const RunPrioritySchema = z
  .number()
  .int('must be a whole number')
  .min(MIN_RUN_PRIORITY, `must be at least ${MIN_RUN_PRIORITY}`)
  .max(MAX_RUN_PRIORITY, `must be at most ${MAX_RUN_PRIORITY}`);

/**
 * A trigger's run priority: a CEL expression over `event` giving a whole number, evaluated per run,
 * or a number taken as is. Under a backlog higher priorities start first (see the runner's rule).
 */
export const PrioritySchema = z.union([RunPrioritySchema, CelExpressionSchema], {
  error: `must be a CEL expression giving a whole number, or a whole number from ${MIN_RUN_PRIORITY} to ${MAX_RUN_PRIORITY}`,
});
export type Priority = z.infer<typeof PrioritySchema>;

/** One field of the workflow input: a CEL expression, or a number, boolean or null taken as is. */
export const InputFieldSchema = z.union([CelExpressionSchema, z.number(), z.boolean(), z.null()], {
  error:
    'must be a CEL expression (static text is a CEL string literal, like "\'main\'"), or a number, true, false or null taken as is',
});
export type InputField = z.infer<typeof InputFieldSchema>;

/** The workflow input: one CEL expression, or a map of input field to CEL expression or value. */
export const InputMappingSchema = z.union(
  [
    CelExpressionSchema,
    z.record(z.string().min(1, 'must not be empty').max(256), InputFieldSchema),
  ],
  { error: 'must be a CEL expression or a map of input field to CEL expression' },
);
export type InputMapping = z.infer<typeof InputMappingSchema>;

export const TRIGGER_LOGIC = ['any', 'all', 'sequence'] as const;

/** A compound of `k` of its members: runs once any `k` of them have a matching event. */
export const AtLeastSchema = strictObject({
  atLeast: z.number().int('must be a whole number').min(1, 'must be at least 1'),
});

export type TriggerLogic = (typeof TRIGGER_LOGIC)[number] | z.infer<typeof AtLeastSchema>;

/**
 * How a trigger with several sources or event types fires: `any` (the default) runs once per matching
 * event; `all` waits until each of them has seen a matching event within `within`, then runs once;
 * `sequence` waits for them in the order they are listed; `{ atLeast: k }` for any `k` of them.
 */
export const TriggerLogicSchema = z.union([z.enum(TRIGGER_LOGIC), AtLeastSchema], {
  error:
    'must be "any" (every matching event fires), "all" (wait for an event from each), ' +
    '"sequence" (each in the listed order) or { atLeast: k } (any k of them)',
});

/** Whether the logic waits for several members' events and starts one run for them. */
export function isCompoundLogic(logic: TriggerLogic | undefined): boolean {
  return logic !== undefined && logic !== 'any';
}

/** The logic as a definition writes it, for messages. */
export function describeLogic(logic: TriggerLogic): string {
  return typeof logic === 'string' ? `"${logic}"` : `{ atLeast: ${logic.atLeast} }`;
}
