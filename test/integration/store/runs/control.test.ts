import type { RunRequest } from '@flint/contracts';
import { callbackTokenHash, RunControlRepository, type Store } from '@flint/store';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };
const oneAtATime = { allowConcurrent: false, onBusy: 'queue' } as const;
const cancelled = { type: 'CancelledError', message: 'the run was cancelled on request' };

/** Cancellation requests, the runs the runner takes to cancel, and the re-run link. */
describeEachStore('RunControlRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let runs: RunRepositories;
  let control: RunControlRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    runs = runRepositories(store);
    control = new RunControlRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  async function claim(...requests: RunRequest[]): Promise<void> {
    await runs.claims.claim(
      requests.map((request) => newRun(request, source, 30_000)),
      noMessages,
    );
  }

  it('records a cancellation of a run that has not ended, once, and names an unknown run', async () => {
    const run = runRequest();
    await claim(run);
    const first = await control.requestCancel(run.runId);
    expect(first).toMatchObject({ outcome: 'requested', run: { status: 'REQUESTED' } });
    const askedAt = first.outcome === 'requested' ? first.run.cancelRequestedAt : undefined;
    expect(askedAt).toBeInstanceOf(Date);
    const again = await control.requestCancel(run.runId);
    expect(again.outcome === 'requested' && again.run.cancelRequestedAt).toEqual(askedAt);
    expect(await control.requestCancel('test-trigger.nothing-here')).toEqual({
      outcome: 'not-found',
    });
  });

  it('reports a run that already ended, with its status', async () => {
    const run = runRequest();
    await claim(run);
    const [taken] = await runs.attempts.takeDue('runner-a', 1, 60_000);
    const attempt = await runs.attempts.startAttempt(run.runId, 'runner-a', { markStarted: true });
    await runs.attempts.finishAttempt(run.runId, 'runner-a', {
      attempt,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result: 1 },
    });
    expect(taken?.runId).toBe(run.runId);
    expect(await control.requestCancel(run.runId)).toMatchObject({
      outcome: 'finished',
      run: { status: 'SUCCEEDED' },
    });
    expect((await runs.history.get(run.runId))?.cancelRequestedAt).toBeUndefined();
  });

  it('lets the runner take a queued run only to cancel it, and admits the next one when it is', async () => {
    const busy = runRequest({ concurrency: oneAtATime });
    const queued = runRequest({ concurrency: oneAtATime });
    const next = runRequest({ concurrency: oneAtATime });
    await claim(busy, queued, next);
    const [running] = await runs.attempts.takeDue('runner-a', 10, 60_000);
    expect(running?.runId).toBe(busy.runId);
    expect(await runs.attempts.takeDue('runner-a', 10, 60_000)).toEqual([]);

    await control.requestCancel(queued.runId);
    const taken = await runs.attempts.takeDue('runner-a', 10, 60_000);
    expect(taken.map((run) => [run.runId, run.queued])).toEqual([[queued.runId, true]]);
    expect(taken[0]?.cancelRequestedAt).toBeInstanceOf(Date);
    await runs.attempts.finishAttempt(queued.runId, 'runner-a', {
      attempt: 0,
      attemptOutcome: 'cancelled',
      error: cancelled,
      run: { status: 'CANCELLED' },
    });
    expect(await runs.history.get(queued.runId)).toMatchObject({
      status: 'CANCELLED',
      queued: false,
      attempts: 0,
      error: cancelled,
    });
    expect(await runs.history.attempts(queued.runId)).toEqual([]);

    // The running one is cancelled through its runner, which then frees the slot for `next`.
    await control.requestCancel(busy.runId);
    expect(await runs.attempts.cancelRequested('runner-a')).toEqual([{ runId: busy.runId }]);
    expect(await runs.attempts.cancelRequested('runner-b')).toEqual([]);
    const attempt = await runs.attempts.startAttempt(busy.runId, 'runner-a', { markStarted: true });
    const finished = await runs.attempts.finishAttempt(busy.runId, 'runner-a', {
      attempt,
      attemptOutcome: 'cancelled',
      error: cancelled,
      run: { status: 'CANCELLED' },
    });
    expect(finished.admitted).toEqual([next.runId]);
    expect((await runs.history.attempts(busy.runId)).map((a) => a.outcome)).toEqual(['cancelled']);
    expect(await runs.attempts.cancelRequested('runner-a')).toEqual([]);
  });

  it('keeps the run a re-run repeats, and lists the re-runs of a run', async () => {
    const original = runRequest();
    const first = runRequest({ rerunOf: original.runId });
    const second = runRequest({ rerunOf: original.runId });
    await claim(original);
    await claim(first);
    await claim(second);
    expect((await runs.history.get(first.runId))?.rerunOf).toBe(original.runId);
    expect((await runs.history.get(original.runId))?.rerunOf).toBeUndefined();
    expect(await runs.history.reruns(original.runId)).toEqual([first.runId, second.runId]);
    expect(await runs.history.reruns(first.runId)).toEqual([]);
  });

  it("waits for a callback target's outcome, takes it once, and times the run out otherwise", async () => {
    const event = { topic: 'flint.events', key: 'k', value: { done: true }, headers: {} };
    const [reported, silent] = [runRequest(), runRequest()];
    await claim(reported, silent);
    await runs.attempts.takeDue('runner-a', 10, 60_000);
    for (const run of [reported, silent]) {
      await runs.attempts.expectCallback(
        run.runId,
        'runner-a',
        callbackTokenHash(`token-${run.runId}`),
      );
    }
    // Reported before the runner recorded the start: not yet.
    const early = await control.complete(
      reported.runId,
      callbackTokenHash(`token-${reported.runId}`),
      { result: 1 },
      () => [],
    );
    expect(early.outcome).toBe('not-started');
    for (const [run, deadline] of [
      [reported, new Date(Date.now() + 60_000)],
      [silent, new Date(Date.now() - 1000)],
    ] as const) {
      const attempt = await runs.attempts.startAttempt(run.runId, 'runner-a');
      await runs.attempts.finishAttempt(run.runId, 'runner-a', {
        attempt,
        attemptOutcome: 'succeeded',
        run: { status: 'STARTED', callbackDeadline: deadline },
      });
    }
    expect(await runs.history.get(reported.runId)).toMatchObject({ status: 'STARTED' });
    expect((await runs.history.get(reported.runId))?.finishedAt).toBeUndefined();

    expect(
      await control.complete(reported.runId, callbackTokenHash('guessed'), { result: 1 }, () => []),
    ).toEqual({ outcome: 'refused' });
    const done = await control.complete(
      reported.runId,
      callbackTokenHash(`token-${reported.runId}`),
      { error: { type: 'QuotaExceeded', message: 'none left' } },
      () => [event],
    );
    expect(done).toMatchObject({
      outcome: 'completed',
      run: { status: 'FAILED', error: { type: 'QuotaExceeded', message: 'none left' } },
    });
    const again = await control.complete(
      reported.runId,
      callbackTokenHash(`token-${reported.runId}`),
      { result: 2 },
      () => [],
    );
    expect(again).toEqual({ outcome: 'refused' });
    expect(await store.query('SELECT key FROM outbox')).toEqual([{ key: 'k' }]);

    // The silent one's deadline has passed: a runner takes it, to fail it.
    const late = await runs.attempts.takeDue('runner-b', 10, 60_000);
    expect(late.map((run) => [run.runId, run.status])).toEqual([[silent.runId, 'STARTED']]);
    expect(late[0]?.callbackDeadline).toBeInstanceOf(Date);
  });
});
