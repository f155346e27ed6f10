import type { RunRequest } from '@flint/contracts';
import { type RunningService, startService } from '@flint/service-kit';
import type { RunRecord } from '@flint/store';
import { RunnerModule } from '../../../apps/runner/src/runner.module';
import { uniqueName, waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { type RunRepositories, runRepositories } from '../../support/runs';
import { abortableWorkflow } from '../runner/abortable-workflow';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

/** Fulfils an order until its signal is aborted. */
const { workflow: fulfilOrder, started, aborted } = abortableWorkflow('fulfil-order');

const orderEvent = (type: string, order: string, reason = 'customer') =>
  testEvent('shop', { type, data: { order, reason }, flintsourceid: 'shop' });

/** cancelOn through the real evaluator and runner on one database and one set of topics. */
describeIfPostgres("cancelOn: an event cancels its trigger's runs of the same key", () => {
  const bed = new EvaluatorTestBed('cancel-on');
  let runner: RunningService;
  let runs: RunRepositories;

  beforeAll(async () => {
    await bed.setUp('cancel_on');
    runs = runRepositories(bed.store);
    runner = await startService(
      'runner',
      (runtime) => RunnerModule.forRuntime(runtime, { workflows: [fulfilOrder] }),
      {
        env: bed.env({
          FLINT_RUNNER_PORT: '0',
          FLINT_RUNNER_GROUP_ID: uniqueName('runner-group'),
          FLINT_RUNNER_POLL_INTERVAL_MS: '200',
        }),
        handleSignals: false,
        logger: false,
      },
    );
    await runner.consuming;
  });

  afterAll(async () => {
    await runner?.stop();
    await bed.stopAll();
    await bed.tearDown();
  });

  const runOf = (requests: RunRequest[], order: string): string => {
    const request = requests.find((run) => (run.input as { order: string }).order === order);
    if (request === undefined) throw new Error(`no run of order ${order}`);
    return request.runId;
  };
  const waitForRun = (runId: string, done: (run: RunRecord) => boolean, description: string) =>
    waitFor(
      async () => {
        const run = await runs.history.get(runId);
        return run !== undefined && done(run) ? run : undefined;
      },
      { description: `run ${runId} ${description}` },
    );

  it('ends the running and queued runs of the key CANCELLED with the event id, and no others', async () => {
    await bed.define(
      trigger('fulfil', {
        eventTypes: ['com.shop.order.paid'],
        input: { order: 'event.data.order' },
        target: { type: 'local', workflow: 'fulfil-order', timeoutMs: 120_000 },
        concurrency: { allowConcurrent: false, onBusy: 'queue' },
        cancelOn: {
          eventTypes: ['com.shop.order.cancelled'],
          condition: "event.data.reason != 'test'",
          match: 'event.data.order',
        },
      }),
    );
    await bed.startEvaluator();
    await bed.publish(
      orderEvent('com.shop.order.paid', 'o-1'),
      orderEvent('com.shop.order.paid', 'o-2'),
      orderEvent('com.shop.order.paid', 'o-3'),
    );
    const requests = await bed.waitForRuns('fulfil', 3);
    expect(requests.map((request) => request.cancelKey)).toEqual(['o-1', 'o-2', 'o-3']);
    const [running, queued, other] = ['o-1', 'o-2', 'o-3'].map((order) => runOf(requests, order));
    await waitFor(() => started.has(running as string), { description: 'o-1 to start' });
    await waitForRun(other as string, (run) => run.queued, 'to be queued');

    const cancelRunning = orderEvent('com.shop.order.cancelled', 'o-1');
    const cancelQueued = orderEvent('com.shop.order.cancelled', 'o-2');
    await bed.publish(cancelRunning, cancelQueued);

    const first = await waitForRun(running as string, (run) => run.status === 'CANCELLED', 'ended');
    expect(aborted.has(running as string)).toBe(true);
    expect(first).toMatchObject({
      cancelledByEvent: cancelRunning.id,
      error: {
        type: 'CancelledError',
        message: `the run was cancelled by event ${cancelRunning.id} (its trigger's cancelOn)`,
      },
    });
    const second = await waitForRun(queued as string, (run) => run.status === 'CANCELLED', 'ended');
    expect(second).toMatchObject({ cancelledByEvent: cancelQueued.id, attempts: 0 });
    expect(started.has(queued as string)).toBe(false);

    // The other order's run is admitted and runs: no cancellation of its key came.
    await waitFor(() => started.has(other as string), { description: 'o-3 to start' });
    expect((await runs.history.get(other as string))?.cancelRequestedAt).toBeUndefined();

    // A cancellation of o-3 whose condition is false cancels nothing; the next one ends it.
    await bed.publish(orderEvent('com.shop.order.cancelled', 'o-3', 'test'));
    const cancelOther = orderEvent('com.shop.order.cancelled', 'o-3');
    await bed.publish(cancelOther);
    const third = await waitForRun(other as string, (run) => run.status === 'CANCELLED', 'ended');
    expect(third.cancelledByEvent).toBe(cancelOther.id);
    expect(bed.runsOf('fulfil')).toHaveLength(3);
  });
});
