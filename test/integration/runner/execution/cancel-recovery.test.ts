import { join } from 'node:path';
import { RunCancellationRepository, RunControlRepository } from '@flint/store';
import { waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { runTsFixture } from '../../../support/ts-child-process';
import { runRequest, RunnerTestBed } from '../runner-harness';
import { TargetServer } from '../targets/target-server';

const CANCEL_THEN_DIE = join(__dirname, 'fixtures', 'cancel-then-die.ts');

describeIfPostgres('runner: a cancellation request survives the runner dying', () => {
  const bed = new RunnerTestBed('runner-cancel-recovery');
  const server = new TargetServer();

  beforeAll(async () => {
    await server.start();
    await bed.setUp('runner_cancel_recovery');
  });

  afterAll(async () => {
    await bed.tearDown();
    await server.stop();
  });

  it('sends exactly one cancellation after a restart when the runner died between the cancel and the request', async () => {
    const request = runRequest();
    const start = server.route('/engine/start', () => ({ status: 202 }));
    const cancelPath = `/engine/jobs/${request.runId}/cancel`;
    server.route(cancelPath, () => ({ status: 204 }));
    const running = {
      ...request,
      target: {
        type: 'http' as const,
        url: start,
        method: 'POST' as const,
        headers: {},
        timeoutMs: 5000,
        completion: 'callback' as const,
        cancel: {
          url: start.replace(/\/start$/, '/jobs/{{runId}}/cancel'),
          method: 'POST' as const,
          headers: {},
        },
      },
    };
    const first = await bed.startRunner();
    await bed.send(running);
    await waitFor(
      async () => (await bed.runs.history.get(request.runId))?.callbackDeadline !== undefined,
      { description: 'the run to wait for its callback' },
    );
    await bed.stopRunner(first);

    await new RunControlRepository(bed.store).requestCancel(request.runId);
    const crash = await runTsFixture(CANCEL_THEN_DIE, bed.env(), 'the runner never cancelled');
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    expect(crash.output).toContain('cancellation committed; dying before sending it');
    const cancellations = new RunCancellationRepository(bed.store);
    expect(await bed.runs.history.get(request.runId)).toMatchObject({ status: 'CANCELLED' });
    expect(await cancellations.get(request.runId)).toMatchObject({ status: 'pending', tries: 0 });
    expect(server.requestsTo(cancelPath)).toHaveLength(0);

    await bed.startRunner();
    await waitFor(async () => (await cancellations.get(request.runId))?.status === 'sent', {
      description: 'the cancellation request sent after the restart',
    });
    expect(await cancellations.get(request.runId)).toMatchObject({
      status: 'sent',
      tries: 1,
      responseStatus: 204,
    });
    expect(server.requestsTo(cancelPath)).toHaveLength(1);
    expect(server.requestsTo('/engine/start')).toHaveLength(1);
    expect(await bed.runs.history.get(request.runId)).toMatchObject({ status: 'CANCELLED' });
    // The CANCELLED event the dead runner committed is published by the restarted one, once.
    const events = await bed.waitForEvents(request.runId, ['flint.run.cancelled']);
    expect(events.filter((event) => event.type === 'flint.run.cancelled')).toHaveLength(1);
  });
});
