import type { Queryable, Store } from '@flint/store';
import {
  type BatchAddResult,
  EvaluatorBatchRepository,
  type NewBatchMember,
} from '../../../../apps/evaluator/src/batching/batch-repository';
import {
  describeEachStore,
  type OpenedStore,
  waitForLockWaiters,
} from '../../../support/store-backends';

const T0 = new Date('2026-01-02T03:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A payload no jsonb column accepts: U+0000, as some JSON events carry. */
const HOSTILE = { text: 'nul \u0000 here', emoji: '🚀', nested: { list: [1, 'two', null] } };

describeEachStore('evaluator batches', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
  });

  afterAll(async () => {
    await opened.dispose();
  });

  let batches: EvaluatorBatchRepository;
  const member = (eventId: string, extra: Partial<NewBatchMember> = {}): NewBatchMember => ({
    triggerId: 'crawl',
    batchKey: '',
    partition: 0,
    eventId,
    event: { id: eventId, data: HOSTILE },
    openedAt: T0,
    deadlineAt: at(30_000),
    maxSize: 3,
    ...extra,
  });

  beforeAll(() => {
    batches = new EvaluatorBatchRepository(store);
  });

  it('collects events into one open batch per trigger, key and partition', async () => {
    const first = await batches.add(member('e1'));
    const second = await batches.add(member('e2'));
    const otherKey = await batches.add(
      member('e3', { batchKey: 'k'.repeat(1024) + '€'.repeat(500) }),
    );
    const otherPartition = await batches.add(member('e4', { partition: 1 }));
    if (first.status !== 'added' || second.status !== 'added') throw new Error('not added');
    expect(second.batch).toMatchObject({ id: first.batch.id, size: 2, status: 'open' });
    expect(second.batch.deadlineAt).toEqual(at(30_000));
    expect(otherKey.status === 'added' && otherKey.batch.id).not.toBe(first.batch.id);
    expect(otherPartition.status === 'added' && otherPartition.batch.partition).toBe(1);
    expect((await batches.pending([0])).map((b) => b.size).sort()).toEqual([1, 2]);
  });

  it('turns away an event already in a batch of the trigger, even with U+0000 in its id', async () => {
    expect(await batches.add(member('e1'))).toEqual({ status: 'duplicate' });
    const odd = member('odd\u0000id\\0', { triggerId: 'odd' });
    expect((await batches.add(odd)).status).toBe('added');
    expect(await batches.add(odd)).toEqual({ status: 'duplicate' });
    expect((await batches.add(member('odd\\0id\\0', { triggerId: 'odd' }))).status).toBe('added');
  });

  it('closes a full batch, gives back its events in order and opens the next', async () => {
    const third = await batches.add(member('e5'));
    if (third.status !== 'added') throw new Error('not added');
    expect(third.batch).toMatchObject({ size: 3, status: 'closed' });
    const next = await batches.add(member('e6'));
    expect(next.status === 'added' && next.batch.id).not.toBe(third.batch.id);
    const closed = await batches.close(third.batch.id);
    expect(closed?.triggerId).toBe('crawl');
    expect(closed?.members.map((m) => (m.event as { id: string }).id)).toEqual(['e1', 'e2', 'e5']);
    expect(closed?.members[0]?.event).toEqual({ id: 'e1', data: HOSTILE });
    // Closing again gives the same members: emitting twice sends the same run request.
    expect(await batches.close(third.batch.id)).toEqual(closed);
  });

  it('keeps an emitted batch only to recognise replays, until its keep time', async () => {
    const [open] = await batches.pending([0]);
    const added = await batches.add(member('e7', { triggerId: 'emit' }));
    if (added.status !== 'added' || !open) throw new Error('not added');
    await batches.close(added.batch.id);
    await batches.markEmitted(added.batch.id, at(60_000));
    expect(await batches.close(added.batch.id)).toBeUndefined();
    expect((await batches.pending([0])).map((b) => b.id)).not.toContain(added.batch.id);
    expect(await batches.add(member('e7', { triggerId: 'emit' }))).toEqual({
      status: 'duplicate',
    });
    expect(await batches.deleteExpired(at(59_999))).toBe(0);
    expect(await batches.deleteExpired(at(60_001))).toBe(1);
    expect((await batches.add(member('e7', { triggerId: 'emit' }))).status).toBe('added');
  });

  it('discards a batch with its events', async () => {
    const added = await batches.add(member('gone', { triggerId: 'discard' }));
    if (added.status !== 'added') throw new Error('not added');
    await batches.discard(added.batch.id);
    expect(await batches.close(added.batch.id)).toBeUndefined();
    expect((await batches.add(member('gone', { triggerId: 'discard' }))).status).toBe('added');
  });

  // The embedded database has one connection, so nothing runs beside an add: PostgreSQL only.
  const onPostgres = backend.kind === 'postgres' ? it : it.skip;

  /** Holds the open batch's row lock in a transaction of its own until `then` is done. */
  const holdingBatch = (batchId: string, then: (tx: Queryable) => Promise<void>) =>
    store.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM evaluator_batches WHERE id = $1 FOR UPDATE', [batchId]);
      await then(tx);
    });

  onPostgres('puts an event that met its open batch as it closed into a new batch', async () => {
    const replica = new EvaluatorBatchRepository(await opened.openReplica());
    const first = await batches.add(member('c1', { triggerId: 'closing' }));
    if (first.status !== 'added') throw new Error('not added');
    let late: Promise<BatchAddResult> | undefined;
    // The add finds the open batch, then waits for its lock while the batch is closed (its
    // deadline passed, or another add filled it).
    await holdingBatch(first.batch.id, async (tx) => {
      late = replica.add(member('c2', { triggerId: 'closing' }));
      await waitForLockWaiters(store, 1, "adds waiting for the batch's lock");
      await tx.query("UPDATE evaluator_batches SET status = 'closed' WHERE id = $1", [
        first.batch.id,
      ]);
    });
    const added = await late;
    expect(added).toMatchObject({ status: 'added', batch: { status: 'open', size: 1 } });
    expect(added?.status === 'added' && added.batch.id).not.toBe(first.batch.id);
    expect((await batches.close(first.batch.id))?.members).toHaveLength(1);
  });

  onPostgres('adds an event two replicas add at once to one batch, once', async () => {
    const replica = new EvaluatorBatchRepository(await opened.openReplica());
    const first = await batches.add(member('d1', { triggerId: 'twice' }));
    if (first.status !== 'added') throw new Error('not added');
    let both: Promise<BatchAddResult[]> | undefined;
    // Both see the event unknown, then queue for the batch's lock.
    await holdingBatch(first.batch.id, async () => {
      both = Promise.all([
        batches.add(member('d2', { triggerId: 'twice' })),
        replica.add(member('d2', { triggerId: 'twice' })),
      ]);
      await waitForLockWaiters(store, 2, "adds waiting for the batch's lock");
    });
    const statuses = (await both)?.map((result) => result.status).sort();
    expect(statuses).toEqual(['added', 'duplicate']);
    const pending = await batches.pending([0]);
    expect(pending.filter((batch) => batch.triggerId === 'twice').map((b) => b.size)).toEqual([2]);
  });
});
