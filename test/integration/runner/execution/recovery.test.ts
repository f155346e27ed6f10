import { join } from 'node:path';
import { DLQ_HEADERS } from '@flint/contracts';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { committedOffsets, waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { metricValue, runRequest, RunnerTestBed } from '../runner-harness';
import { TargetServer } from '../targets/target-server';
import { runTsFixture } from '../../../support/ts-child-process';

const CLAIM_THEN_DIE = join(__dirname, 'fixtures', 'claim-then-die.ts');

describeIfPostgres('runner: recovery after a runner dies', () => {
  const bed = new RunnerTestBed('runner-recovery');
  const server = new TargetServer();

  beforeAll(async () => {
    await server.start();
    await bed.setUp('runner_recovery');
  });

  afterAll(async () => {
    await bed.tearDown();
    await server.stop();
  });

  /** A POST to `path` on the test's target server, answered 200. */
  function okTarget(path: string, timeoutMs: number) {
    return {
      type: 'http' as const,
      url: server.route(path, () => ({ status: 200 })),
      method: 'POST' as const,
      headers: {},
      timeoutMs,
    };
  }

  it('completes a run whose runner was killed between claim and start, once, after a restart', async () => {
    const request = runRequest({
      target: okTarget('/after-crash', 5000),
    });
    await bed.send(request);

    const crash = await runTsFixture(
      CLAIM_THEN_DIE,
      bed.env(),
      'the runner never claimed anything',
    );
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    expect(crash.output).toContain(`claimed ${request.runId}:claimed`);
    expect(await bed.runs.history.get(request.runId)).toMatchObject({
      status: 'REQUESTED',
      attempts: 0,
    });
    expect(server.requestsTo('/after-crash')).toHaveLength(0);
    const committed = await committedOffsets(bed.kafka, bed.groupId, bed.topics.runs);
    expect([...committed.values()].every((offset) => offset === -1)).toBe(true);

    const runner = await bed.startRunner();
    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run.attempts).toBe(1);
    // The uncommitted request was delivered again: acknowledged as a duplicate, not started again.
    await waitFor(
      async () => (await metricValue(runner, 'triggers_run_requests_duplicate_total')) === 1,
      { description: 'the replayed request counted as a duplicate' },
    );
    const events = await bed.waitForEvents(request.runId, ['flint.run.succeeded']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
    expect(server.requestsTo('/after-crash')).toHaveLength(1);
    await bed.stopRunner(runner);
  });

  it('takes over a run whose lease expired mid-attempt: retried if attempts are left, else FAILED', async () => {
    const ghost = 'ghost-runner';
    const retried = runRequest({
      target: okTarget('/taken-over', 500),
    });
    const lastChance = runRequest({
      ...retried,
      runId: `${retried.runId}-last`,
      retry: { maxAttempts: 1, backoff: { initialMs: 100, maxMs: 100, multiplier: 1, jitter: 0 } },
    });
    // A runner claims both runs, leases them, begins their attempts, and is never heard of again.
    const source = { topic: bed.topics.runs, partition: 0, offset: '0' };
    await bed.runs.claims.claim(
      [newRun(retried, source, 30_000), newRun(lastChance, source, 30_000)],
      { skippedMessages: () => [] },
    );
    const taken = await bed.runs.attempts.takeDue(ghost, 10, 0);
    expect(taken.map((run) => run.runId).sort()).toEqual([retried.runId, lastChance.runId].sort());
    await bed.runs.attempts.startAttempt(retried.runId, ghost);
    await bed.runs.attempts.startAttempt(lastChance.runId, ghost);

    const runner = await bed.startRunner();
    const run = await bed.waitForStatus(retried.runId, 'SUCCEEDED');
    expect(run.attempts).toBe(2);
    const attempts = await bed.runs.history.attempts(retried.runId);
    expect(attempts).toMatchObject([
      { attempt: 1, runner: ghost, outcome: 'lost', error: { type: 'RunnerLostError' } },
      { attempt: 2, outcome: 'succeeded' },
    ]);
    expect(attempts[1]?.runner).not.toBe(ghost);
    expect(server.requestsTo('/taken-over')).toHaveLength(1);

    const failed = await bed.waitForStatus(lastChance.runId, 'FAILED');
    expect(failed).toMatchObject({ attempts: 1, error: { type: 'RunnerLostError' } });
    expect(failed.error?.message).toBe(
      `the runner ${ghost} stopped during attempt 1 of 1; no attempts are left`,
    );
    const dead = await bed.waitForDeadLetter(lastChance.runId);
    expect(dead.headers[DLQ_HEADERS.error]).toContain('RunnerLostError');
    await bed.stopRunner(runner);
  });

  it('takes over a run leased and begun by its claim whose runner died before the target start', async () => {
    const ghost = 'ghost-claimer';
    const request = runRequest({
      target: okTarget('/claimed-and-lost', 500),
    });
    const source = { topic: bed.topics.runs, partition: 0, offset: '0' };
    const [claimed] = await bed.runs.claims.claim([newRun(request, source, 30_000)], {
      skippedMessages: () => [],
      lease: { holder: ghost, graceMs: 0, limit: 1, start: () => ({ markStarted: false }) },
    });
    expect(claimed).toMatchObject({ outcome: 'claimed', taken: { claimedBy: ghost } });

    const runner = await bed.startRunner();
    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run.attempts).toBe(2);
    expect(await bed.runs.history.attempts(request.runId)).toMatchObject([
      { attempt: 1, runner: ghost, outcome: 'lost', error: { type: 'RunnerLostError' } },
      { attempt: 2, outcome: 'succeeded' },
    ]);
    expect(server.requestsTo('/claimed-and-lost')).toHaveLength(1);
    const events = await bed.waitForEvents(request.runId, ['flint.run.succeeded']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
    await bed.stopRunner(runner);
  });
});
