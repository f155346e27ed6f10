import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import { abortableWorkflow } from '../../runner/abortable-workflow';
import { RunnerTestBed, runRequest } from '../../runner/runner-harness';
import { call, createKey, startApi } from '../api-harness';

/** What the workflow itself saw of its signal, by run id. */
const { workflow: waitForCancel, started, aborted } = abortableWorkflow('wait-for-cancel');

const longTarget = { type: 'local', workflow: 'wait-for-cancel', timeoutMs: 120_000 } as const;

/** Cancel and re-run through the API, carried out by a real runner on the same database and topics. */
describe('run control: POST /api/runs/{id}/cancel and /rerun', () => {
  const bed = new RunnerTestBed('run-control');
  let api: RunningService;

  beforeAll(async () => {
    await bed.setUp('run_control');
    await bed.startRunner({ workflows: [waitForCancel] });
    api = await startApi(bed.topics, { DATABASE_URL: bed.database.url });
  });

  afterAll(async () => {
    await api?.stop();
    await bed.tearDown();
  });

  it('cancels a running local workflow: its signal is aborted and the run ends CANCELLED', async () => {
    const run = runRequest({ target: longTarget });
    await bed.send(run);
    await bed.waitForStatus(run.runId, 'STARTED');
    await waitFor(() => started.has(run.runId), { description: 'the workflow to begin' });

    const answer = await call(api.url, 'POST', `/api/runs/${run.runId}/cancel`);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ runId: run.runId, status: 'STARTED' });
    expect(Date.parse(answer.body.cancelRequestedAt)).not.toBeNaN();

    const ended = await bed.waitForStatus(run.runId, 'CANCELLED');
    expect(aborted.has(run.runId)).toBe(true);
    expect(ended.error).toEqual({
      type: 'CancelledError',
      message: 'the run was cancelled on request',
    });
    const events = await bed.waitForEvents(run.runId, ['flint.run.cancelled']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.cancelled']);
    const detail = await call(api.url, 'GET', `/api/runs/${run.runId}`);
    expect(detail.body).toMatchObject({
      status: 'CANCELLED',
      cancelRequestedAt: answer.body.cancelRequestedAt,
      attemptHistory: [{ attempt: 1, outcome: 'cancelled' }],
    });

    // Asking again is harmless and says it is done.
    const again = await call(api.url, 'POST', `/api/runs/${run.runId}/cancel`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ runId: run.runId, status: 'CANCELLED' });
  });

  it('cancels a queued run before it ever starts', async () => {
    const concurrency = { allowConcurrent: false, onBusy: 'queue' } as const;
    const blocker = runRequest({ target: longTarget, concurrency });
    const queued = runRequest({ target: longTarget, concurrency });
    await bed.send(blocker);
    await bed.waitForStatus(blocker.runId, 'STARTED');
    await bed.send(queued);
    await waitFor(async () => (await bed.runs.history.get(queued.runId))?.queued, {
      description: 'the second run to be queued',
    });

    expect((await call(api.url, 'POST', `/api/runs/${queued.runId}/cancel`)).status).toBe(202);
    const ended = await bed.waitForStatus(queued.runId, 'CANCELLED');
    expect(ended.attempts).toBe(0);
    expect(ended.startedAt).toBeUndefined();
    expect(started.has(queued.runId)).toBe(false);
    const events = await bed.waitForEvents(queued.runId, ['flint.run.cancelled']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.cancelled']);

    await call(api.url, 'POST', `/api/runs/${blocker.runId}/cancel`);
    await bed.waitForStatus(blocker.runId, 'CANCELLED');
  });

  it('refuses to cancel a run that ended otherwise (409), an unknown run (404) and a viewer (403)', async () => {
    const done = runRequest();
    await bed.send(done);
    await bed.waitForStatus(done.runId, 'SUCCEEDED');
    const finished = await call(api.url, 'POST', `/api/runs/${done.runId}/cancel`);
    expect(finished.status).toBe(409);
    expect(finished.body.error.code).toBe('run_finished');
    expect(finished.body.error.message).toContain('already ended SUCCEEDED');

    const unknown = await call(api.url, 'POST', '/api/runs/test-trigger.no-such-run/cancel');
    expect(unknown.status).toBe(404);
    const badId = await call(api.url, 'POST', '/api/runs/not%20a%20run/cancel');
    expect(badId.status).toBe(400);

    const viewer = await createKey(api.url, `viewer-${Date.now()}`, 'viewer', 'default');
    const refused = await call(api.url, 'POST', `/api/runs/${done.runId}/cancel`, { key: viewer });
    expect(refused.status).toBe(403);
  });

  it('re-runs a run with its input or an edited one: new run ids, linked both ways', async () => {
    const original = runRequest();
    await bed.send(original);
    await bed.waitForStatus(original.runId, 'SUCCEEDED');

    const same = await call(api.url, 'POST', `/api/runs/${original.runId}/rerun`);
    expect(same.status).toBe(202);
    expect(same.body.rerunOf).toBe(original.runId);
    expect(same.body.runId).toMatch(/^test-trigger\.rerun-/);
    const edited = await call(api.url, 'POST', `/api/runs/${original.runId}/rerun`, {
      body: { input: { edited: true } },
    });
    expect(edited.status).toBe(202);
    expect(edited.body.runId).not.toBe(same.body.runId);

    const first = await bed.waitForStatus(same.body.runId, 'SUCCEEDED');
    expect(first.result).toEqual(original.input);
    const second = await bed.waitForStatus(edited.body.runId, 'SUCCEEDED');
    expect(second.result).toEqual({ edited: true });

    const rerun = await call(api.url, 'GET', `/api/runs/${same.body.runId}`);
    expect(rerun.body).toMatchObject({ rerunOf: original.runId, reruns: [] });
    const back = await call(api.url, 'GET', `/api/runs/${original.runId}`);
    expect(back.body.reruns).toEqual([same.body.runId, edited.body.runId]);
    expect(back.body.rerunOf).toBeUndefined();
  });

  it('refuses a re-run of an unknown run (404) and a body that is not the contract (400)', async () => {
    const unknown = await call(api.url, 'POST', '/api/runs/test-trigger.no-such-run/rerun');
    expect(unknown.status).toBe(404);
    const original = runRequest();
    await bed.send(original);
    await bed.waitForStatus(original.runId, 'SUCCEEDED');
    const bad = await call(api.url, 'POST', `/api/runs/${original.runId}/rerun`, {
      body: { input: 1, runId: 'mine' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.issues)).toContain('runId');
  });
});
