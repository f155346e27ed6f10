import { defineWorkflow, type Workflow } from '@flint/workflows';

/** A local workflow that runs until its signal is aborted, and what it saw, by run id. */
export interface AbortableWorkflow {
  workflow: Workflow;
  started: Set<string>;
  aborted: Set<string>;
}

/** A workflow named `name` that begins, then waits for its cancellation and resolves 'stopped'. */
export function abortableWorkflow(name: string): AbortableWorkflow {
  const started = new Set<string>();
  const aborted = new Set<string>();
  const workflow = defineWorkflow({
    name,
    run: (_input, ctx) =>
      new Promise((resolve) => {
        started.add(ctx.runId);
        ctx.signal.addEventListener('abort', () => {
          aborted.add(ctx.runId);
          resolve('stopped');
        });
      }),
  });
  return { workflow, started, aborted };
}
