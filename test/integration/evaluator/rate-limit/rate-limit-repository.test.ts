import type { Store } from '@flint/store';
import {
  EvaluatorRateLimitRepository,
  type RateRequest,
} from '../../../../apps/evaluator/src/rate-limit/rate-limit-repository';
import {
  describeEachStore,
  emptyTables,
  type OpenedStore,
  waitForLockWaiters,
} from '../../../support/store-backends';

const T0 = new Date('2026-01-02T03:00:00Z');
const HOUR = 3600_000;

describeEachStore('evaluator rate limits', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let limits: EvaluatorRateLimitRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    limits = new EvaluatorRateLimitRepository(store);
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => opened.dispose());

  const request = (runId: string, now = T0): RateRequest => ({
    triggerId: 'deploy',
    key: 'main',
    runId,
    now,
    limit: 1,
    periodMs: HOUR,
    delay: { request: `{"runId":"${runId}"}`, partition: 0 },
  });

  it('queues runs past the limit into later slots, and gives a run its decision again', async () => {
    expect(await limits.reserve(request('r1'))).toEqual({ status: 'admitted' });
    const later = new Date(T0.getTime() + HOUR);
    expect(await limits.reserve(request('r2'))).toEqual({ status: 'delayed', at: later });
    // Asked again (a replayed event), even later on, each run keeps its slot.
    const replayAt = new Date(T0.getTime() + 60_000);
    expect(await limits.reserve(request('r2', replayAt))).toEqual({ status: 'delayed', at: later });
    expect(await limits.reserve(request('r1', replayAt))).toEqual({ status: 'admitted' });
    expect((await limits.delayed([0])).map((run) => run.runId)).toEqual(['r2']);
  });

  // The embedded database has one connection, so no replica: PostgreSQL only.
  const onPostgres = backend.kind === 'postgres' ? it : it.skip;
  onPostgres('gives a run two replicas decide at once one slot and one decision', async () => {
    const replica = new EvaluatorRateLimitRepository(await opened.openReplica());
    await limits.reserve(request('r1'));
    let both: ReturnType<typeof limits.reserve>[] = [];
    // Both replicas take up the same event (a rebalance) while the key's lock is held elsewhere, so
    // they queue for it side by side.
    await store.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM evaluator_rate_limits FOR UPDATE');
      both = [limits.reserve(request('r2')), replica.reserve(request('r2'))];
      await waitForLockWaiters(store, 2, "replicas waiting for the key's lock");
    });
    const delayed = { status: 'delayed', at: new Date(T0.getTime() + HOUR) };
    expect(await Promise.all(both)).toEqual([delayed, delayed]);
    expect((await limits.delayed([0])).map((run) => run.runId)).toEqual(['r2']);
  });
});
