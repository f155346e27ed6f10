import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema } from '../primitives';

/** CloudEvent type of the command a `kafka` target's `cancel.topic` receives. */
export const WORKFLOW_CANCEL_COMMAND_TYPE = 'flint.workflow.cancel';

/**
 * What a remote workflow is told when its run is cancelled: the JSON body of an HTTP target's
 * `cancel` request, and the `data` of a Kafka target's `flint.workflow.cancel` command (keyed by run
 * id). Sent once the run is CANCELLED, so the workflow may stop; its answer changes nothing in Flint.
 * Not strict: a consumer that parses it keeps working when Flint adds a field.
 */
export const WorkflowCancellationSchema = z.object({
  runId: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
  triggerId: IdSchema,
  /** The event that cancelled the run through its trigger's `cancelOn`; absent for an API cancel. */
  cancelledByEvent: z.string().min(1, 'must not be empty').optional(),
  /** Why, as the run's CancelledError says it. */
  reason: z.string(),
  cancelledAt: IsoDateTimeSchema,
});
export type WorkflowCancellation = z.infer<typeof WorkflowCancellationSchema>;
