import type { RunRequest } from '@flint/contracts';
import { RunLeaseLostError, type Store } from '@flint/store';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };
const claimOf = (request: RunRequest) => newRun(request, source, 30_000);
const event = (key: string, status: string) => ({
  topic: 'flint.events',
  key,
  value: { status },
  headers: { 'ce-type': `flint.run.${status.toLowerCase()}` },
});

/** The runner records the attempts of many runs in one statement; each run keeps its own outcome. */
describeEachStore('RunRepository attempt batches', (backend) => {
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

  async function leased(count: number, holder: string): Promise<RunRequest[]> {
    const requests = Array.from({ length: count }, () => runRequest());
    expect(
      (await runs.claims.claim(requests.map(claimOf), noMessages)).map((o) => o.outcome),
    ).toEqual(requests.map(() => 'claimed'));
    expect(await runs.attempts.takeDue(holder, count, 60_000)).toHaveLength(count);
    return requests;
  }

  const outbox = () =>
    store.query<{ key: string; value: unknown; headers: unknown }>(
      'SELECT key, value, headers FROM outbox ORDER BY id',
    );

  it('starts attempts of several runs at once, each under its own lease, events in order', async () => {
    const [a, b, c] = await leased(3, 'runner-a');
    const results = await runs.attempts.startAttempts([
      {
        runId: a.runId,
        holder: 'runner-a',
        options: { markStarted: true, messages: [event('a', 'STARTED')] },
      },
      {
        runId: b.runId,
        holder: 'runner-b',
        options: { markStarted: true, messages: [event('b', 'STARTED')] },
      },
      {
        runId: c.runId,
        holder: 'runner-a',
        options: { messages: [event('c', 'ONE'), event('c', 'TWO')] },
      },
    ]);
    expect(results[0]).toBe(1);
    expect(results[1]).toBeInstanceOf(RunLeaseLostError);
    expect(results[2]).toBe(1);
    expect(await runs.history.get(a.runId)).toMatchObject({ status: 'STARTED', attempts: 1 });
    expect((await runs.history.get(a.runId))?.startedAt).toBeInstanceOf(Date);
    expect(await runs.history.get(b.runId)).toMatchObject({ status: 'REQUESTED', attempts: 0 });
    expect(await runs.history.get(c.runId)).toMatchObject({ status: 'REQUESTED', attempts: 1 });
    expect(await runs.history.attempts(b.runId)).toEqual([]);
    expect((await runs.history.attempts(c.runId)).map((x) => [x.attempt, x.runner])).toEqual([
      [1, 'runner-a'],
    ]);
    expect(await outbox()).toEqual([
      { key: 'a', value: { status: 'STARTED' }, headers: { 'ce-type': 'flint.run.started' } },
      { key: 'c', value: { status: 'ONE' }, headers: { 'ce-type': 'flint.run.one' } },
      { key: 'c', value: { status: 'TWO' }, headers: { 'ce-type': 'flint.run.two' } },
    ]);
    await expect(
      runs.attempts.startAttempts([
        { runId: a.runId, holder: 'x' },
        { runId: a.runId, holder: 'x' },
      ]),
    ).rejects.toThrow(RangeError);
  });

  it('finishes several runs at once: success, retry, failure and a lost lease each as asked', async () => {
    const [ok, retry, failed, lost] = await leased(4, 'r');
    for (const run of [ok, retry, failed, lost]) await runs.attempts.startAttempt(run.runId, 'r');
    const nextAttemptAt = new Date(Date.now() + 60_000);
    const results = await runs.attempts.finishAttempts([
      {
        runId: ok.runId,
        holder: 'r',
        finish: {
          attempt: 1,
          attemptOutcome: 'succeeded',
          run: { status: 'SUCCEEDED', result: null },
          logLines: ['hello'],
          messages: [event('ok', 'SUCCEEDED')],
        },
      },
      {
        runId: retry.runId,
        holder: 'r',
        finish: {
          attempt: 1,
          attemptOutcome: 'retry',
          error: { type: 'HttpError', message: 'HTTP 503' },
          response: { status: 503, excerpt: 'busy' },
          run: { status: 'REQUESTED', nextAttemptAt },
        },
      },
      {
        runId: failed.runId,
        holder: 'r',
        finish: {
          attempt: 1,
          attemptOutcome: 'failed',
          error: { type: 'TypeError', message: 'boom' },
          run: { status: 'FAILED' },
          messages: [event('failed', 'FAILED')],
        },
      },
      {
        runId: lost.runId,
        holder: 'someone-else',
        finish: {
          attempt: 1,
          attemptOutcome: 'succeeded',
          run: { status: 'SUCCEEDED', result: 1 },
        },
      },
    ]);
    expect(results.slice(0, 3)).toEqual([{ admitted: [] }, { admitted: [] }, { admitted: [] }]);
    expect(results[3]).toBeInstanceOf(RunLeaseLostError);

    const [row] = await store.query<{ result: unknown; is_json_null: boolean }>(
      `SELECT result, result IS NOT NULL AND jsonb_typeof(result) = 'null' AS is_json_null
         FROM runs WHERE run_id = $1`,
      [ok.runId],
    );
    expect(row?.is_json_null).toBe(true);
    expect(await runs.history.get(ok.runId)).toMatchObject({
      status: 'SUCCEEDED',
      logLines: ['hello'],
    });
    expect(await runs.history.get(retry.runId)).toMatchObject({
      status: 'REQUESTED',
      nextAttemptAt,
      error: { type: 'HttpError', message: 'HTTP 503' },
    });
    expect(await runs.history.get(failed.runId)).toMatchObject({ status: 'FAILED' });
    expect(await runs.history.get(lost.runId)).toMatchObject({
      status: 'REQUESTED',
      claimedBy: 'r',
    });
    expect((await runs.history.attempts(retry.runId))[0]).toMatchObject({
      outcome: 'retry',
      error: { type: 'HttpError', message: 'HTTP 503' },
      response: { status: 503, excerpt: 'busy' },
    });
    expect((await runs.history.attempts(lost.runId))[0]?.finishedAt).toBeUndefined();
    expect((await outbox()).map((m) => m.key)).toEqual(['ok', 'failed']);
  });

  it('finishes a run with a concurrency limit in its transaction, admitting the next queued run', async () => {
    const policy = {
      concurrencyKey: 'k',
      concurrency: { allowConcurrent: false, onBusy: 'queue' },
    } as const;
    const first = runRequest(policy);
    const next = runRequest(policy);
    const plain = runRequest();
    await runs.claims.claim([first, next, plain].map(claimOf), noMessages);
    await runs.attempts.takeDue('r', 10, 60_000);
    await runs.attempts.startAttempt(first.runId, 'r');
    await runs.attempts.startAttempt(plain.runId, 'r');
    const succeeded = {
      attempt: 1,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result: 1 },
    } as const;
    expect(
      await runs.attempts.finishAttempts([
        { runId: plain.runId, holder: 'r', finish: succeeded },
        { runId: first.runId, holder: 'r', finish: succeeded },
      ]),
    ).toEqual([{ admitted: [] }, { admitted: [next.runId] }]);
    expect(await runs.history.get(next.runId)).toMatchObject({
      queued: false,
      status: 'REQUESTED',
    });
  });
});
