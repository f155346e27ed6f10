import { defineWorkflow } from '@flint/sdk';

/** Returns its input: the demo trigger's workflow, and the smallest example of writing one. */
export const echoWorkflow = defineWorkflow({
  name: 'echo',
  description: 'Returns its input unchanged.',
  run(input, ctx) {
    ctx.log(`echoing the input of run ${ctx.runId}`);
    return input;
  },
});
