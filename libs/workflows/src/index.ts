import { echoWorkflow } from './echo';
import type { Workflow } from './workflow';

export {
  defineWorkflow,
  InvalidWorkflowError,
  type Workflow,
  type WorkflowContext,
} from './workflow';
export { WorkflowRegistry } from './workflow-registry';
export { echoWorkflow } from './echo';

/** The workflows every runner starts with. Add a file beside `echo.ts` and list it here. */
export const BUILTIN_WORKFLOWS: readonly Workflow[] = [echoWorkflow];
