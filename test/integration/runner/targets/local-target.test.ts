import { DLQ_HEADERS } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { defineWorkflow } from '@flint/workflows';
import { createTestTopic, readMessages, waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { metricValue, runRequest, RunnerTestBed } from '../runner-harness';

class DeployError extends Error {
  override readonly name = 'DeployError';
}

/** Runs of the `gate` workflow wait here until the test opens their gate. */
const gates = new Map<string, () => void>();

const testWorkflows = [
  defineWorkflow({
    name: 'fail-deploy',
    run(input, ctx) {
      ctx.log('deploying');
      throw new DeployError(`cannot deploy ${(input as { id: string }).id}`);
    },
  }),
  defineWorkflow({
    name: 'never-ends',
    run: (_input, ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null))),
  }),
  defineWorkflow({
    name: 'gate',
    run: (input, ctx) =>
      new Promise((resolve) => {
        ctx.log('waiting at the gate');
        gates.set(ctx.runId, () => resolve(input));
      }),
  }),
];

async function openGate(runId: string): Promise<void> {
  const open = await waitFor(() => gates.get(runId), { description: `run ${runId} at its gate` });
  open();
}

describeIfPostgres('runner: local and kafka targets, concurrency', () => {
  const bed = new RunnerTestBed('runner-local');
  let runner: RunningService;

  const local = (workflow: string, extra: Parameters<typeof runRequest>[0] = {}) =>
    runRequest({ target: { type: 'local', workflow, timeoutMs: 60_000 }, ...extra });

  beforeAll(async () => {
    await bed.setUp('runner_local');
    runner = await bed.startRunner({ workflows: testWorkflows });
  });

  afterAll(async () => {
    for (const open of gates.values()) open();
    await bed.tearDown();
  });

  it('runs the echo workflow: STARTED then SUCCEEDED with its input as the result, logs stored', async () => {
    const request = local('echo');
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run).toMatchObject({ attempts: 1, result: request.input, workflow: 'echo' });
    expect(run.logLines).toEqual([
      expect.stringContaining(`echoing the input of run ${request.runId}`),
    ]);
    const events = await bed.waitForEvents(request.runId, ['flint.run.succeeded']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
    expect(events[1]?.data).toMatchObject({
      status: 'SUCCEEDED',
      workflow: 'echo',
      result: request.input,
      input: request.input,
    });
    expect(
      await metricValue(runner, 'triggers_runs_started_total', { provider: 'webhook' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('fails the run with the error the workflow threw, publishes it, and does not retry', async () => {
    const request = local('fail-deploy');
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run).toMatchObject({
      attempts: 1,
      error: {
        type: 'DeployError',
        message: `cannot deploy ${(request.input as { id: string }).id}`,
      },
    });
    expect(run.logLines).toEqual([expect.stringContaining('deploying')]);
    const events = await bed.waitForEvents(request.runId, ['flint.run.failed']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.failed']);
    expect(events[1]?.data).toMatchObject({
      status: 'FAILED',
      workflow: 'fail-deploy',
      error: { type: 'DeployError' },
      input: request.input,
    });
  });

  it('fails a workflow that outlives its timeout with TimeoutError', async () => {
    const request = runRequest({
      target: { type: 'local', workflow: 'never-ends', timeoutMs: 300 },
    });
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run.error).toEqual({
      type: 'TimeoutError',
      message: 'workflow "never-ends" did not finish within 300 ms',
    });
    const events = await bed.waitForEvents(request.runId, ['flint.run.failed']);
    expect(events[1]?.data.error?.type).toBe('TimeoutError');
  });

  it('fails a run of an unknown workflow without starting it, and dead-letters it', async () => {
    const request = local('no-such-workflow');
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run.error?.type).toBe('UnknownWorkflowError');
    expect(run.error?.message).toContain(
      'registered: decline-payment, echo, fail-deploy, gate, never-ends, sleep, sum',
    );
    expect(run.startedAt).toBeUndefined();
    const dead = await bed.waitForDeadLetter(request.runId);
    expect(dead.headers[DLQ_HEADERS.error]).toContain('UnknownWorkflowError');
    const events = await bed.waitForEvents(request.runId, ['flint.run.failed']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.failed']);
  });

  it('dead-letters run requests the database could not store, and starts the good ones around them', async () => {
    const good = [local('echo'), local('echo'), local('echo')];
    const nul = local('echo', { input: { kind: 'a\u0000b' } });
    let deep: unknown = 'bottom';
    for (let level = 0; level < 150; level++) deep = [deep];
    const tooDeep = local('echo', { input: { deep } as never });
    await bed.send(good[0], nul, good[1], tooDeep, good[2]);

    for (const request of good) await bed.waitForStatus(request.runId, 'SUCCEEDED');
    const nulLetter = await bed.waitForDeadLetter(nul.runId);
    expect(nulLetter.headers[DLQ_HEADERS.reason]).toBe('invalid');
    expect(nulLetter.headers[DLQ_HEADERS.error]).toContain(
      'the request at input.kind contains a NUL character',
    );
    const deepLetter = await bed.waitForDeadLetter(tooDeep.runId);
    expect(deepLetter.headers[DLQ_HEADERS.error]).toContain('nests deeper than 100 levels');
    expect(await bed.runs.history.get(nul.runId)).toBeUndefined();
    expect(await bed.runs.history.get(tooDeep.runId)).toBeUndefined();
  });

  it('produces a CloudEvent command to a kafka target, keyed by the key expression', async () => {
    const topic = await createTestTopic(bed.kafka, 'runner-commands');
    const request = runRequest({
      target: { type: 'kafka', topic, key: "input.customer + '-orders'" },
      input: { customer: 'c-42', total: 10 },
    });
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run.result).toMatchObject({ topic, key: 'c-42-orders', partition: 0 });
    const [command] = await readMessages(bed.kafka, topic, 1);
    expect(command?.key?.toString()).toBe('c-42-orders');
    expect(JSON.parse(command?.value?.toString() ?? '')).toEqual(request.input);
    expect(command?.headers).toMatchObject({
      ce_id: request.runId,
      ce_type: 'flint.workflow.start',
      ce_source: 'flint/triggers/test-trigger',
      ce_flintprovider: 'runner',
      traceparent: request.traceparent,
    });
  });

  it('fails a kafka target whose key expression cannot be evaluated, with the reason', async () => {
    const topic = await createTestTopic(bed.kafka, 'runner-commands');
    const request = runRequest({ target: { type: 'kafka', topic, key: 'input.missing.field' } });
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run).toMatchObject({ attempts: 1, error: { type: 'KeyExpressionError' } });
    expect(run.error?.message).toContain('key expression "input.missing.field" failed');
  });

  it('skips a run while another of the same concurrency key runs (allowConcurrent: false, skip)', async () => {
    const concurrency = { allowConcurrent: false, onBusy: 'skip' } as const;
    const first = local('gate', { concurrencyKey: 'repo-a', concurrency });
    const second = local('gate', { concurrencyKey: 'repo-a', concurrency });
    const otherKey = local('gate', { concurrencyKey: 'repo-b', concurrency });
    await bed.send(first);
    await bed.waitForStatus(first.runId, 'STARTED');
    await bed.send(second, otherKey);

    const skipped = await bed.waitForStatus(second.runId, 'SKIPPED');
    expect(skipped.statusReason).toBe(
      `trigger test-trigger with concurrency key "repo-a" already has a run in progress (${first.runId})`,
    );
    expect(skipped.attempts).toBe(0);
    const [event] = await bed.waitForEvents(second.runId, ['flint.run.skipped']);
    expect(event?.data).toMatchObject({
      status: 'SKIPPED',
      attempt: 0,
      error: { type: 'ConcurrencyLimitError', message: skipped.statusReason },
    });
    await bed.waitForStatus(otherKey.runId, 'STARTED');

    await openGate(first.runId);
    await openGate(otherKey.runId);
    await bed.waitForStatus(first.runId, 'SUCCEEDED');
    await bed.waitForStatus(otherKey.runId, 'SUCCEEDED');
    expect(gates.has(second.runId)).toBe(false);
  });

  it('queues a run while another of the same key runs, and starts it after (allowConcurrent: false, queue)', async () => {
    const concurrency = { allowConcurrent: false, onBusy: 'queue' } as const;
    const [first, second, third] = [1, 2, 3].map(() =>
      local('gate', { concurrencyKey: 'deploys', concurrency }),
    ) as [ReturnType<typeof local>, ReturnType<typeof local>, ReturnType<typeof local>];
    await bed.send(first);
    await bed.waitForStatus(first.runId, 'STARTED');
    await bed.send(second, third);
    await waitFor(async () => (await bed.runs.history.get(third.runId))?.queued, {
      description: 'the third run queued',
    });
    expect(await bed.runs.history.get(second.runId)).toMatchObject({
      status: 'REQUESTED',
      queued: true,
      attempts: 0,
    });

    await openGate(first.runId);
    const firstDone = await bed.waitForStatus(first.runId, 'SUCCEEDED');
    const secondStarted = await bed.waitForStatus(second.runId, 'STARTED');
    expect(secondStarted.startedAt!.getTime()).toBeGreaterThanOrEqual(
      firstDone.finishedAt!.getTime(),
    );
    expect(await bed.runs.history.get(third.runId)).toMatchObject({
      status: 'REQUESTED',
      queued: true,
    });

    await openGate(second.runId);
    await bed.waitForStatus(second.runId, 'SUCCEEDED');
    await openGate(third.runId);
    const thirdDone = await bed.waitForStatus(third.runId, 'SUCCEEDED');
    expect(thirdDone.attempts).toBe(1);
  });
});
