import type { RunRequest, WorkflowCancellation } from '@flint/contracts';
import { RunCancellationRepository, type Store } from '@flint/store';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };

/**
 * Cancellation requests to remote workflows: committed with the CANCELLED transition, on both
 * finishing paths (a run with a concurrency limit goes through a transaction, one without through
 * a single statement), leased by one runner at a time, retried, and recorded once.
 */
describeEachStore('RunCancellationRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let runs: RunRepositories;
  let cancellations: RunCancellationRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    runs = runRepositories(store);
    cancellations = new RunCancellationRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  const cancellationOf = (request: RunRequest): WorkflowCancellation => ({
    runId: request.runId,
    triggerId: request.triggerId,
    reason: 'the run was cancelled on request',
    cancelledAt: new Date().toISOString(),
  });

  /** Claims the request, takes it as runner-a and ends it CANCELLED with its cancellation. */
  async function cancelled(request: RunRequest, cancellation?: WorkflowCancellation) {
    await runs.claims.claim([newRun(request, source, 30_000)], noMessages);
    await runs.attempts.takeDue('runner-a', 10, 60_000);
    const attempt = await runs.attempts.startAttempt(request.runId, 'runner-a');
    await runs.attempts.finishAttempt(request.runId, 'runner-a', {
      attempt,
      attemptOutcome: 'cancelled',
      error: { type: 'CancelledError', message: 'the run was cancelled on request' },
      run: { status: 'CANCELLED' },
      ...(cancellation ? { cancellation } : {}),
    });
  }

  it('commits the request with the transition, on both finishing paths, and only when given', async () => {
    const unlimited = runRequest();
    const limited = runRequest({ concurrency: { allowConcurrent: true, max: 1, onBusy: 'queue' } });
    const none = runRequest();
    await cancelled(unlimited, cancellationOf(unlimited));
    await cancelled(limited, cancellationOf(limited));
    await cancelled(none);

    for (const request of [unlimited, limited]) {
      expect((await runs.history.get(request.runId))?.status).toBe('CANCELLED');
      expect(await cancellations.get(request.runId)).toMatchObject({ status: 'pending', tries: 0 });
    }
    expect(await cancellations.get(none.runId)).toBeUndefined();
  });

  it('leases a due request to one runner, counts its tries, and records the outcome under the lease', async () => {
    const request = runRequest();
    const cancellation = cancellationOf(request);
    await cancelled(request, cancellation);

    const [due, ...more] = await cancellations.takeDue('runner-a', 10, 60_000);
    expect(more).toEqual([]);
    expect(due).toMatchObject({ runId: request.runId, message: cancellation, try: 1 });
    expect(due?.request.target).toEqual(request.target);
    expect(await cancellations.takeDue('runner-b', 10, 60_000)).toEqual([]);

    // A retry waits for its time; the lease is released meanwhile.
    const error = { type: 'NetworkError', message: 'ECONNREFUSED' };
    expect(
      await cancellations.record(request.runId, 'runner-a', {
        outcome: 'retry',
        error,
        nextTryAt: new Date(Date.now() - 1000),
      }),
    ).toBe(true);
    expect(await cancellations.get(request.runId)).toMatchObject({
      status: 'pending',
      tries: 1,
      error,
    });
    // Someone else's record does not count: runner-b holds the lease now.
    expect(await cancellations.takeDue('runner-b', 10, 60_000)).toMatchObject([{ try: 2 }]);
    expect(await cancellations.record(request.runId, 'runner-a', { outcome: 'sent' })).toBe(false);
    expect(
      await cancellations.record(request.runId, 'runner-b', {
        outcome: 'sent',
        response: { status: 202, excerpt: '' },
      }),
    ).toBe(true);
    const sent = await cancellations.get(request.runId);
    expect(sent).toMatchObject({ status: 'sent', tries: 2, responseStatus: 202 });
    expect(sent?.error).toBeUndefined();
    expect(sent?.finishedAt).toBeInstanceOf(Date);
    expect(await cancellations.takeDue('runner-a', 10, 60_000)).toEqual([]);
  });

  it('takes over a request whose runner died while sending it, once its lease expired', async () => {
    const request = runRequest();
    await cancelled(request, cancellationOf(request));
    // A lease of no time at all: runner-a "died" right after taking it.
    expect(await cancellations.takeDue('runner-a', 10, -30_000)).toHaveLength(1);
    expect(await cancellations.takeDue('runner-b', 10, 60_000)).toMatchObject([{ try: 2 }]);
  });
});
