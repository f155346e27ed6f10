import type { NewBatchMember } from '../batching/batch-repository';
import { MemoryBatchStore } from './memory-batch-store';

/** The indexes the in-memory store looks batches up by must follow each batch's life. */
describe('MemoryBatchStore', () => {
  const member = (eventId: string, extra: Partial<NewBatchMember> = {}): NewBatchMember => ({
    triggerId: 't1',
    batchKey: 'k',
    partition: 0,
    eventId,
    event: { id: eventId },
    openedAt: new Date(0),
    deadlineAt: null,
    ...extra,
  });
  const batchOf = async (store: MemoryBatchStore, added: NewBatchMember) => {
    const result = await store.add(added);
    if (result.status !== 'added') throw new Error(`${added.eventId} was a duplicate`);
    return result.batch;
  };

  it('opens a new batch once the last one is full, per key and partition', async () => {
    const store = new MemoryBatchStore();
    const first = await batchOf(store, member('e1', { maxSize: 2 }));
    expect((await batchOf(store, member('e2', { maxSize: 2 }))).id).toBe(first.id);
    const next = await batchOf(store, member('e3', { maxSize: 2 }));
    expect(next.id).not.toBe(first.id);
    expect((await batchOf(store, member('e4', { partition: 1 }))).id).not.toBe(next.id);
    expect((await batchOf(store, member('e5', { batchKey: 'other' }))).id).not.toBe(next.id);
    expect((await batchOf(store, member('e6', { triggerId: 't2' }))).id).not.toBe(next.id);
  });

  it("turns a trigger's event away while its batch is kept, and takes it once discarded", async () => {
    const store = new MemoryBatchStore();
    const batch = await batchOf(store, member('e1'));
    await store.close(batch.id);
    await store.markEmitted(batch.id, new Date(1000));
    expect(await store.add(member('e1'))).toEqual({ status: 'duplicate' });
    expect((await store.add(member('e1', { triggerId: 't2' }))).status).toBe('added');
    await store.discard(batch.id);
    expect((await batchOf(store, member('e1'))).id).not.toBe(batch.id);
  });

  it('satisfies only the open batches of the trigger and key; the next event opens anew', async () => {
    const store = new MemoryBatchStore();
    const waiting = await batchOf(store, member('e1'));
    const otherKey = await batchOf(store, member('e2', { batchKey: 'other' }));
    expect(await store.satisfy('t1', 'k', new Date(1000))).toEqual([waiting.id]);
    expect(store.batches.get(otherKey.id)?.status).toBe('open');
    expect((await batchOf(store, member('e3'))).id).not.toBe(waiting.id);
  });
});
