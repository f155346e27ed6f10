import type { RunRequest } from '@flint/contracts';
import { RunControlRepository, type Store } from '@flint/store';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };

/** A `cancelOn` event's request: which runs it reaches, and what the runner is told. */
describeEachStore('RunControlRepository.requestCancelByEvent', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let runs: RunRepositories;
  let control: RunControlRepository;
  const accepted = Date.now();

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    runs = runRepositories(store);
    control = new RunControlRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  /** A run of trigger "fulfil" with cancel key `key`, its cause accepted `offsetMs` after `accepted`. */
  const keyed = (key: string | undefined, offsetMs = 0, triggerId = 'fulfil'): RunRequest =>
    runRequest({
      triggerId,
      runId: `${triggerId}.${key ?? 'none'}-${offsetMs}-${Math.random().toString(36).slice(2, 8)}`,
      ...(key === undefined ? {} : { cancelKey: key }),
      acceptedAt: new Date(accepted + offsetMs).toISOString(),
    });
  const claim = (...requests: RunRequest[]) =>
    runs.claims.claim(
      requests.map((request) => newRun(request, source, 30_000)),
      noMessages,
    );
  const cancelBy = (eventId: string, cancelKey: string | undefined, offsetMs = 1000) =>
    control.requestCancelByEvent({
      triggerId: 'fulfil',
      cancelKey,
      eventId,
      acceptedAt: new Date(accepted + offsetMs),
    });

  it('asks to cancel the active runs of the key caused before the event, and no others', async () => {
    const running = keyed('o-1');
    const sameKey = keyed('o-1', 500);
    const later = keyed('o-1', 5000);
    const otherKey = keyed('o-2');
    const otherTrigger = keyed('o-1', 0, 'ship');
    const done = keyed('o-1');
    await claim(running, sameKey, later, otherKey, otherTrigger, done);
    // Runner-a takes them all and finishes `done`: an ended run is never asked to cancel.
    expect(await runs.attempts.takeDue('runner-a', 10, 60_000)).toHaveLength(6);
    const attempt = await runs.attempts.startAttempt(done.runId, 'runner-a');
    await runs.attempts.finishAttempt(done.runId, 'runner-a', {
      attempt,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result: null },
    });

    const asked = await cancelBy('cancel-1', 'o-1');
    expect(asked.sort()).toEqual([running.runId, sameKey.runId].sort());
    expect(await runs.history.get(running.runId)).toMatchObject({
      cancelledByEvent: 'cancel-1',
      cancelRequestedAt: expect.any(Date),
    });
    for (const untouched of [later, otherKey, otherTrigger, done]) {
      expect((await runs.history.get(untouched.runId))?.cancelRequestedAt).toBeUndefined();
    }
    // The runner holding them is told which event cancelled each.
    expect(
      (await runs.attempts.cancelRequested('runner-a')).sort((a, b) =>
        a.runId.localeCompare(b.runId),
      ),
    ).toEqual(
      [running.runId, sameKey.runId]
        .sort()
        .map((runId) => ({ runId, cancelledByEvent: 'cancel-1' })),
    );

    // A second event (or a replay) leaves the runs with the event that asked first.
    expect(await cancelBy('cancel-2', 'o-1')).toEqual([]);
    expect((await runs.history.get(running.runId))?.cancelledByEvent).toBe('cancel-1');
  });

  it('asks to cancel every active run of the trigger when it has no match key', async () => {
    const a = keyed('o-1');
    const b = keyed(undefined);
    await claim(a, b);
    expect((await cancelBy('cancel-all', undefined)).sort()).toEqual([a.runId, b.runId].sort());
  });
});
