import { declinePaymentWorkflow } from './demo/decline-payment';
import { sleepWorkflow } from './demo/sleep';
import { sumWorkflow } from './demo/sum';
import { echoWorkflow } from './echo';
import type { Workflow } from '@flint/sdk';

export {
  defineWorkflow,
  InvalidDefinitionError,
  type Workflow,
  type WorkflowContext,
} from '@flint/sdk';
export { WorkflowRegistry } from './workflow-registry';
export { echoWorkflow } from './echo';
export { declinePaymentWorkflow, PaymentDeclinedError } from './demo/decline-payment';
export { MAX_SLEEP_MS, sleepWorkflow } from './demo/sleep';
export { sumWorkflow } from './demo/sum';

/**
 * The workflows every runner starts with: `echo`, and the demonstration workflows that
 * examples/playground.yaml chains on (one that sleeps, one that fails with a typed error, one that
 * returns a result). Add a file beside `echo.ts` and list it here.
 */
export const BUILTIN_WORKFLOWS: readonly Workflow[] = [
  echoWorkflow,
  sleepWorkflow,
  declinePaymentWorkflow,
  sumWorkflow,
];
