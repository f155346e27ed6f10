import { formatZodIssues, WorkflowNameSchema } from '@flint/contracts';

/** What a local workflow gets besides its input. */
export interface WorkflowContext {
  readonly runId: string;
  readonly triggerId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the run's timeout passes; long work should stop when it fires. */
  readonly signal: AbortSignal;
  /** Adds a line to the run's log, which the runner stores with the run. */
  log(message: string): void;
}

/**
 * A workflow that runs inside the runner process. Its return value becomes the run's result (it must
 * be JSON-serializable); a throw fails the run with the error's class name as its type, which is what a
 * run-status source filters on (`errorTypes: [TimeoutError]`).
 */
export interface Workflow {
  /** What targets name in `workflow:`; a slug like "deploy-service". */
  readonly name: string;
  readonly description?: string;
  run(input: unknown, ctx: WorkflowContext): unknown;
}

export class InvalidWorkflowError extends Error {
  override readonly name = 'InvalidWorkflowError';
}

/** Checks a workflow's name once, where it is declared, instead of when a run first needs it. */
export function defineWorkflow<W extends Workflow>(workflow: W): W {
  const parsed = WorkflowNameSchema.safeParse(workflow.name);
  if (!parsed.success) {
    const problem = formatZodIssues(parsed.error)
      .map((issue) => issue.message)
      .join('; ');
    throw new InvalidWorkflowError(`workflow name "${workflow.name}" ${problem}`);
  }
  if (typeof workflow.run !== 'function') {
    throw new InvalidWorkflowError(`workflow "${workflow.name}" needs a run(input, ctx) function`);
  }
  return workflow;
}
