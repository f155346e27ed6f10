import { RunnerWorkflowsRepository } from '@flint/store';
import { defineWorkflow } from '@flint/workflows';
import { waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { RunnerTestBed } from '../runner-harness';

describeIfPostgres('runner: announcing its local workflows to the API', () => {
  const bed = new RunnerTestBed('runner-workflows');

  beforeAll(() => bed.setUp('runner_workflows'));
  afterAll(() => bed.tearDown());

  it('announces the built-in and its own workflows at start and withdraws them at stop', async () => {
    const workflows = new RunnerWorkflowsRepository(bed.store);
    expect(await workflows.known()).toBeUndefined();

    const runner = await bed.startRunner({
      workflows: [defineWorkflow({ name: 'announced-here', run: (input) => input })],
    });
    const known = await waitFor(async () => await workflows.known(), {
      description: 'the runner announcing its workflows',
    });
    expect(known).toEqual(expect.arrayContaining(['announced-here', 'echo']));

    await bed.stopRunner(runner);
    expect(await workflows.known()).toBeUndefined();
  });
});
