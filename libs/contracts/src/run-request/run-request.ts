import { z } from 'zod';
import { ProviderSchema } from '../cloud-event';
import {
  IdSchema,
  IsoDateTimeSchema,
  OwnerSchema,
  TraceparentSchema,
  VersionSchema,
} from '../primitives';
import { strictObject } from '../strict';
import { RetryPolicySchema } from '../triggers/retry-policy';
import { TargetSchema } from '../triggers/target';
import { ConcurrencySchema, RunPrioritySchema } from '../triggers/trigger-options';

const KeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters');

/** What the evaluator asks the runner to start, on `flint.runs`. */
export const RunRequestSchema = strictObject({
  /** Deterministic from the trigger and its causing events, so a replayed request claims the same run. */
  runId: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
  triggerId: IdSchema,
  triggerVersion: VersionSchema,
  owner: OwnerSchema,
  target: TargetSchema,
  input: z.unknown(),
  /** The events that caused the run: one, or a batch. */
  eventIds: z
    .array(z.string().min(1, 'must not be empty'))
    .min(1, 'must list at least one event id'),
  dedupeKey: KeySchema.optional(),
  /** The value of the trigger's concurrency key expression for this run. */
  concurrencyKey: KeySchema.optional(),
  /**
   * The trigger's concurrency policy, copied from its definition like `target` and `retry` so the
   * runner needs no definition lookup; no limit when absent.
   */
  concurrency: ConcurrencySchema.optional(),
  /** The value of the trigger's `cancelOn.match` for this run: events with this key cancel it. */
  cancelKey: KeySchema.optional(),
  /** The value of the trigger's priority for this run; 0 when absent. */
  priority: RunPrioritySchema.optional(),
  retry: RetryPolicySchema,
  requestedAt: IsoDateTimeSchema,
  /** When Flint accepted the earliest causing event; the start of the latency metric. */
  acceptedAt: IsoDateTimeSchema,
  traceparent: TraceparentSchema.optional(),
  /** Provider of the first causing event, the `provider` label of the run metrics. */
  provider: ProviderSchema,
  /** Set on a re-run (`POST /api/runs/{id}/rerun`): the run it repeats. */
  rerunOf: z
    .string()
    .min(1, 'must not be empty')
    .max(512, 'must be at most 512 characters')
    .optional(),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;
