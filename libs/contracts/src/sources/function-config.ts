import { z } from 'zod';
import { DurationSchema } from '../duration';
import { EventTypeSchema, WorkflowNameSchema } from '../primitives';
import { strictObject } from '../strict';

/** CloudEvent type of a poll function's events unless the source sets `eventType`. */
export const DEFAULT_FUNCTION_EVENT_TYPE = 'flint.function.fired';

/**
 * A poll function (`definePollFunction` from @flint/sdk, loaded by the poller from
 * FLINT_FUNCTIONS_DIR) run on an interval; each context it fires with is one event.
 */
export const FunctionSourceConfigSchema = strictObject({
  function: WorkflowNameSchema.describe('The name the poll function was defined with.'),
  interval: DurationSchema.optional().describe(
    'How often to poll, like "30s"; overrides the function’s own interval (default 1m).',
  ),
  timeout: DurationSchema.optional().describe(
    'How long one poll may take, like "10s"; overrides the function’s own timeout (default 30s).',
  ),
  eventType: EventTypeSchema.optional().describe(
    `The events' CloudEvent type (default "${DEFAULT_FUNCTION_EVENT_TYPE}").`,
  ),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Passed to the function as ctx.config.'),
});
export type FunctionSourceConfig = z.infer<typeof FunctionSourceConfigSchema>;
