import type { RunRequest } from '@flint/contracts';
import { RunLeaseLostError, type Store } from '@flint/store';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };
const claimOf = (request: RunRequest) => newRun(request, source, 30_000);

describeEachStore('RunRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let runs: RunRepositories;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    runs = runRepositories(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  it('claims a run id once: later copies, in the batch or after, are duplicates', async () => {
    const request = runRequest();
    expect(await runs.claims.claim([claimOf(request), claimOf(request)], noMessages)).toEqual([
      { runId: request.runId, outcome: 'claimed' },
      { runId: request.runId, outcome: 'duplicate' },
    ]);
    expect(await runs.claims.claim([claimOf(request)], noMessages)).toEqual([
      { runId: request.runId, outcome: 'duplicate' },
    ]);
    expect(await runs.history.get(request.runId)).toMatchObject({
      status: 'REQUESTED',
      attempts: 0,
      maxAttempts: 3,
      input: request.input,
      eventIds: request.eventIds,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      workflow: 'echo',
      source,
      request,
    });
  });

  it('leases and begins up to the limit of claimed runs in the claim, with their start messages', async () => {
    const [first, second, third] = [runRequest(), runRequest(), runRequest()];
    const message = (runId: string) => ({ topic: 'flint.events', key: runId, value: { runId } });
    const starts: string[] = [];
    const outcomes = await runs.claims.claim(
      [claimOf(first), claimOf(first), claimOf(second), claimOf(third)],
      {
        ...noMessages,
        lease: {
          holder: 'runner-a',
          graceMs: 60_000,
          limit: 2,
          start: ({ request }) => {
            starts.push(request.runId);
            // The first starts before its attempt (a local workflow), the second on success.
            return request === first
              ? { markStarted: true, messages: [message(request.runId)] }
              : { markStarted: false, messages: [] };
          },
        },
      },
    );
    // Each run id is begun once, and no more than the limit: the third waits for the scheduler.
    expect(starts).toEqual([first.runId, second.runId]);
    expect(outcomes.map((o) => [o.runId, o.outcome])).toEqual([
      [first.runId, 'claimed'],
      [first.runId, 'duplicate'],
      [second.runId, 'claimed'],
      [third.runId, 'claimed'],
    ]);
    const taken = outcomes.map((o) => (o.outcome === 'claimed' ? o.taken : undefined));
    expect(taken[0]).toMatchObject({
      runId: first.runId,
      status: 'STARTED',
      attempts: 1,
      begunAttempt: 1,
      claimedBy: 'runner-a',
      request: first,
    });
    expect(taken[0]?.startedAt).toBeInstanceOf(Date);
    expect(taken[0]?.previousHolder).toBeUndefined();
    const leaseMs = (taken[0]?.claimExpiresAt?.getTime() ?? 0) - Date.now();
    expect(leaseMs).toBeGreaterThan(60_000);
    expect(leaseMs).toBeLessThanOrEqual(90_000);
    expect(taken[2]).toMatchObject({ status: 'REQUESTED', attempts: 1, begunAttempt: 1 });
    expect(taken[2]?.startedAt).toBeUndefined();
    expect(taken[3]).toBeUndefined();

    // The leased runs are not due again, the other one is; the attempts are open, as after a start.
    expect((await runs.attempts.takeDue('runner-b', 10, 0)).map((r) => r.runId)).toEqual([
      third.runId,
    ]);
    for (const run of [first, second]) {
      expect(await runs.history.attempts(run.runId)).toMatchObject([
        { attempt: 1, runner: 'runner-a' },
      ]);
    }
    const outbox = await store.query<{ key: string }>('SELECT key FROM outbox ORDER BY id');
    expect(outbox.map((row) => row.key)).toEqual([first.runId]);

    // A replayed request leases nothing and announces nothing again.
    const again = await runs.claims.claim([claimOf(first)], {
      ...noMessages,
      lease: {
        holder: 'runner-b',
        graceMs: 0,
        limit: 1,
        start: () => ({ markStarted: true, messages: [message(first.runId)] }),
      },
    });
    expect(again).toEqual([{ runId: first.runId, outcome: 'duplicate' }]);
    expect(await store.query('SELECT key FROM outbox')).toHaveLength(1);
    expect(await runs.history.get(first.runId)).toMatchObject({ claimedBy: 'runner-a' });
  });

  it('leases due runs once, keeps retries until they are due, and hands expired leases over', async () => {
    const request = runRequest();
    await runs.claims.claim([claimOf(request)], noMessages);
    const [taken] = await runs.attempts.takeDue('runner-a', 10, 60_000);
    expect(taken).toMatchObject({ runId: request.runId, claimedBy: 'runner-a' });
    expect(taken?.previousHolder).toBeUndefined();
    expect(await runs.attempts.takeDue('runner-b', 10, 60_000)).toEqual([]);

    const attempt = await runs.attempts.startAttempt(request.runId, 'runner-a');
    expect(attempt).toBe(1);
    await expect(
      runs.attempts.finishAttempt(request.runId, 'runner-b', {
        attempt,
        attemptOutcome: 'succeeded',
        run: { status: 'SUCCEEDED', result: null },
      }),
    ).rejects.toThrow(RunLeaseLostError);
    const later = new Date(Date.now() + 60_000);
    await runs.attempts.finishAttempt(request.runId, 'runner-a', {
      attempt,
      attemptOutcome: 'retry',
      error: { type: 'HttpStatusError', message: '503' },
      run: { status: 'REQUESTED', nextAttemptAt: later },
    });
    expect(await runs.history.get(request.runId)).toMatchObject({
      status: 'REQUESTED',
      nextAttemptAt: later,
      error: { type: 'HttpStatusError', message: '503' },
    });
    expect(await runs.attempts.takeDue('runner-b', 10, 60_000)).toEqual([]);

    // A runner that leased the run when due and died: after its lease, another takes over.
    await store.query("UPDATE runs SET next_attempt_at = now() - interval '1 second'");
    await runs.attempts.takeDue('runner-dead', 10, 0);
    await runs.attempts.startAttempt(request.runId, 'runner-dead');
    await store.query("UPDATE runs SET claim_expires_at = now() - interval '1 second'");
    const [recovered] = await runs.attempts.takeDue('runner-b', 10, 60_000);
    expect(recovered).toMatchObject({ attempts: 2, previousHolder: 'runner-dead' });
    expect(await runs.attempts.startAttempt(request.runId, 'runner-b')).toBe(3);
    expect((await runs.history.attempts(request.runId)).map((a) => [a.attempt, a.outcome])).toEqual(
      [
        [1, 'retry'],
        [2, 'lost'],
        [3, undefined],
      ],
    );
  });

  it('skips or queues runs beyond the concurrency limit and admits the queue in claim order', async () => {
    const policy = (onBusy: 'skip' | 'queue') =>
      ({ concurrencyKey: 'k', concurrency: { allowConcurrent: false, onBusy } }) as const;
    const first = runRequest(policy('queue'));
    const skipped = runRequest(policy('skip'));
    const queued = [1, 2, 3].map(() => runRequest(policy('queue')));
    const outcomes = await runs.claims.claim([first, skipped, ...queued].map(claimOf), {
      skippedMessages: () => [{ topic: 'flint.events', key: 'k', value: { skipped: true } }],
    });
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual([
      'claimed',
      'skipped',
      'queued',
      'queued',
      'queued',
    ]);
    expect(await runs.history.get(skipped.runId)).toMatchObject({
      status: 'SKIPPED',
      statusReason: `trigger test-trigger with concurrency key "k" already has a run in progress (${first.runId})`,
    });
    const [outbox] = await store.query<{ value: unknown }>('SELECT value FROM outbox');
    expect(outbox?.value).toEqual({ skipped: true });

    expect((await runs.attempts.takeDue('r', 10, 60_000)).map((run) => run.runId)).toEqual([
      first.runId,
    ]);
    await runs.attempts.startAttempt(first.runId, 'r');
    expect(await runs.concurrency.admitAllQueued()).toEqual([]);
    const finished = await runs.attempts.finishAttempt(first.runId, 'r', {
      attempt: 1,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result: { ok: true } },
    });
    expect(finished.admitted).toEqual([queued[0]?.runId]);
    expect(await runs.history.get(queued[1]?.runId as string)).toMatchObject({ queued: true });
  });

  it('reports a repeated request of a run with a concurrency limit as a duplicate and leaves the run alone', async () => {
    const policy = {
      concurrencyKey: 'k',
      concurrency: { allowConcurrent: false, onBusy: 'queue' },
    };
    const running = runRequest(policy as Partial<RunRequest>);
    const waiting = runRequest(policy as Partial<RunRequest>);
    await runs.claims.claim([claimOf(running), claimOf(waiting)], noMessages);
    await runs.attempts.takeDue('r', 10, 60_000);
    await runs.attempts.startAttempt(running.runId, 'r');

    // A later batch repeats both requests (a replay, or the evaluator sending again).
    expect(await runs.claims.claim([claimOf(running), claimOf(waiting)], noMessages)).toEqual([
      { runId: running.runId, outcome: 'duplicate' },
      { runId: waiting.runId, outcome: 'duplicate' },
    ]);
    // Still in its first attempt under runner r's lease, holding the key's one slot.
    expect(await runs.history.get(running.runId)).toMatchObject({
      status: 'REQUESTED',
      attempts: 1,
      queued: false,
    });
    expect(await runs.history.get(waiting.runId)).toMatchObject({
      status: 'REQUESTED',
      queued: true,
    });
    // The run in progress is not due again: nobody can start it a second time.
    expect(await runs.attempts.takeDue('r2', 10, 60_000)).toEqual([]);
  });

  it('lists history newest first, by trigger and status', async () => {
    const a = runRequest({ triggerId: 'alpha' });
    const b = runRequest({ triggerId: 'beta' });
    await runs.claims.claim([claimOf(a)], noMessages);
    await runs.claims.claim([claimOf(b)], noMessages);
    expect((await runs.history.list()).map((run) => run.runId)).toEqual([b.runId, a.runId]);
    expect((await runs.history.list({ triggerId: 'alpha' })).map((run) => run.runId)).toEqual([
      a.runId,
    ]);
    expect(await runs.history.list({ status: 'FAILED' })).toEqual([]);
    await expect(runs.history.list({ limit: 0 })).rejects.toThrow(
      'limit must be a whole number between 1 and 1000, got 0',
    );
  });
});
