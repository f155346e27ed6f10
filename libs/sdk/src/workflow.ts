import { checkName, InvalidDefinitionError, KIND } from './names';

/** What a local workflow gets besides its input. */
export interface WorkflowContext {
  readonly runId: string;
  readonly triggerId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Aborted when the run's timeout passes or the run is cancelled (`flint runs cancel`); long work
   * should stop when it fires.
   */
  readonly signal: AbortSignal;
  /** Adds a line to the run's log, which Flint stores with the run (at most 1000 lines). */
  log(message: string): void;
  /**
   * Publishes an event while the run goes on: a CloudEvent of `type` with `data`, its `source` the
   * run id, that triggers can listen to like any other (`eventTypes: [type]`). Resolves once
   * Kafka acknowledged it. `id` makes a repeated emit recognisable as the same event (default: the
   * run id and the emit's position in the run). Types starting with `flint.` are Flint's own.
   */
  emit(type: string, data?: unknown, options?: { id?: string }): Promise<void>;
}

/**
 * A workflow that Flint's runner runs in its own process. Its return value becomes the run's result
 * (JSON, at most 256 KiB); a throw fails the run with the error's class name as its type, which is
 * what a run-status source filters on (`errorTypes: [PaymentDeclinedError]`).
 */
export interface Workflow<Input = unknown, Result = unknown> {
  /** What targets name in `workflow:`; a slug like "deploy-service". */
  readonly name: string;
  readonly description?: string;
  run(input: Input, ctx: WorkflowContext): Result | Promise<Result>;
}

/** Checks a workflow where it is declared and marks it for Flint's loader. */
export function defineWorkflow<Input = unknown, Result = unknown>(
  workflow: Workflow<Input, Result>,
): Workflow<Input, Result> {
  checkName('workflow', workflow.name);
  if (typeof workflow.run !== 'function') {
    throw new InvalidDefinitionError(
      `workflow "${workflow.name}" needs a run(input, ctx) function`,
    );
  }
  return Object.defineProperty({ ...workflow }, KIND, { value: 'workflow' });
}

/** Whether a value (an export of a user module) was made by `defineWorkflow`. */
export function isWorkflow(value: unknown): value is Workflow {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[KIND] === 'workflow'
  );
}
