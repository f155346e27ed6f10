export { InvalidDefinitionError } from './names';
export { defineWorkflow, isWorkflow, type Workflow, type WorkflowContext } from './workflow';
export {
  definePollFunction,
  isPollFunction,
  type Json,
  type PollContext,
  type PollFunction,
  type PollResult,
  type PollState,
} from './poll-function';
export {
  EmitError,
  type EmitOptions,
  EventsClient,
  type EventsClientOptions,
} from './events-client';
