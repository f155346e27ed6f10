import { z } from 'zod';
import { CelExpressionSchema, IdSchema, WorkflowNameSchema } from '../primitives';
import { TerminalRunStatusSchema } from '../run-status';
import { hasNoDuplicates, strictObject } from '../strict';

/** Events about finished runs, for chaining: "when workflow A fails with TimeoutError, start B". */
export const RunStatusConfigSchema = strictObject({
  /** Only runs of these triggers; all when absent. */
  triggers: z
    .array(IdSchema)
    .min(1, 'must not be empty; leave it out to match every trigger')
    .optional(),
  /** Only runs of these workflows; all when absent. */
  workflows: z
    .array(WorkflowNameSchema)
    .min(1, 'must not be empty; leave it out to match every workflow')
    .optional(),
  statuses: z
    .array(TerminalRunStatusSchema)
    .min(1, 'must list at least one of: SUCCEEDED, FAILED, SKIPPED')
    .refine(hasNoDuplicates, 'must not repeat a status'),
  /** Only failures with these error types, e.g. `TimeoutError`. */
  errorTypes: z
    .array(z.string().min(1, 'must not be empty').max(256))
    .min(1, 'must not be empty; leave it out to match every error')
    .optional(),
  /**
   * Only succeeded runs whose result makes this CEL expression over `result` true, e.g.
   * `result == 2.5` or `result.status == 'completed'`; runs of other statuses are not affected.
   */
  result: CelExpressionSchema.optional(),
}).refine((config) => config.errorTypes === undefined || config.statuses.includes('FAILED'), {
  message: 'only applies when statuses include FAILED',
  path: ['errorTypes'],
});
export type RunStatusConfig = z.infer<typeof RunStatusConfigSchema>;
