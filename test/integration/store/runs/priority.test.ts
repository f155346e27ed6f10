import type { RunRequest } from '@flint/contracts';
import { PRIORITY_AGING_SECONDS, type Store } from '@flint/store';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const source = { topic: 'flint.runs', partition: 0, offset: '5' };
const noMessages = { skippedMessages: () => [] };
const step = PRIORITY_AGING_SECONDS * 1000;
const queuedOne = { concurrencyKey: 'k', concurrency: { allowConcurrent: false, onBusy: 'queue' } };

describeEachStore('run priority', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let runs: RunRepositories;
  const t0 = Date.now();

  /** A run of the one-at-a-time key "k", requested `offsetMs` after t0. */
  const queuedRun = (priority: number, offsetMs = 0): RunRequest =>
    runRequest({
      ...(queuedOne as Partial<RunRequest>),
      priority,
      requestedAt: new Date(t0 + offsetMs).toISOString(),
    });
  const claim = (requests: RunRequest[]) =>
    runs.claims.claim(
      requests.map((request) => newRun(request, source, 30_000)),
      noMessages,
    );
  /** Takes the one due run, starts and finishes it: the key's slot goes to the next in the queue. */
  const runToEnd = async (): Promise<string[]> => {
    const [taken] = await runs.attempts.takeDue('runner', 10, 60_000);
    if (taken === undefined) throw new Error('no run was due');
    const attempt = await runs.attempts.startAttempt(taken.runId, 'runner');
    const { admitted } = await runs.attempts.finishAttempt(taken.runId, 'runner', {
      attempt,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result: null },
    });
    return admitted;
  };

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    runs = runRepositories(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  it('admits a queue by priority, a run waiting longer than the difference in minutes first', async () => {
    const running = queuedRun(0);
    const waitedLong = queuedRun(0, -30 * step);
    const low = queuedRun(0);
    const lowest = queuedRun(-3);
    const high = queuedRun(5);
    const middle = queuedRun(2);
    const urgent = queuedRun(40);
    const outcomes = await claim([running, waitedLong, low, lowest, high, middle, urgent]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual([
      'claimed',
      ...Array<string>(6).fill('queued'),
    ]);
    expect(await runs.history.get(high.runId)).toMatchObject({ request: { priority: 5 } });

    const admissions: string[][] = [];
    for (let i = 0; i < 6; i++) admissions.push(await runToEnd());
    expect(admissions).toEqual(
      [urgent, waitedLong, high, middle, low, lowest].map((request) => [request.runId]),
    );
    expect(await runToEnd()).toEqual([]);
  });

  it('does not starve a low priority run while higher ones keep arriving', async () => {
    const running = queuedRun(0);
    const low = queuedRun(0);
    await claim([running, low]);
    // Each round a priority 5 run arrives a minute (one aging step) after the previous one, and the
    // run in progress ends. Priority 5 is five minutes ahead, so the low run goes fifth.
    const admitted: string[] = [];
    const arrivals: RunRequest[] = [];
    for (let round = 1; round <= 6; round++) {
      const arrival = queuedRun(5, round * step + 1000);
      arrivals.push(arrival);
      expect(await claim([arrival])).toMatchObject([{ runId: arrival.runId, outcome: 'queued' }]);
      admitted.push(...(await runToEnd()));
    }
    expect(admitted).toEqual(
      [arrivals[0], arrivals[1], arrivals[2], arrivals[3], low, arrivals[4]].map(
        (request) => request?.runId,
      ),
    );
  });

  it('takes due runs beyond the runner’s room by priority, aged by how long they have been due', async () => {
    const unlimited = (priority: number) => runRequest({ priority });
    const [normal, high, low, higher] = [0, 7, -2, 3].map(unlimited) as RunRequest[];
    await claim([normal, high, low, higher] as RunRequest[]);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [taken] = await runs.attempts.takeDue('runner', 1, 60_000);
      if (taken) order.push(taken.runId);
    }
    expect(order).toEqual([high, higher, normal, low].map((request) => request?.runId));

    // A retry due for 30 minutes goes before a priority 20 run that just became due: 20 minutes ahead.
    const waiting = normal as RunRequest;
    const attempt = await runs.attempts.startAttempt(waiting.runId, 'runner');
    await runs.attempts.finishAttempt(waiting.runId, 'runner', {
      attempt,
      attemptOutcome: 'retry',
      error: { type: 'HttpStatusError', message: '503' },
      run: { status: 'REQUESTED', nextAttemptAt: new Date(Date.now() - 30 * step) },
    });
    const urgent = unlimited(20);
    const top = unlimited(40);
    await claim([urgent, top]);
    const next: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [taken] = await runs.attempts.takeDue('runner-2', 1, 60_000);
      if (taken) next.push(taken.runId);
    }
    expect(next).toEqual([top.runId, waiting.runId, urgent.runId]);
  });
});
