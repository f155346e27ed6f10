import { ManualClock } from '@flint/common/testing';
import { CelEngine, type CompiledTrigger } from '@flint/conditions';
import type { CloudEvent } from '@flint/contracts';
import { MemoryBatchStore } from '../simulation/memory-batch-store';
import { settle } from '../testing/settle';
import { compiled, webhookEvent } from '../testing/triggers';
import { BatchManager } from './batch-manager';

const SECOND = 1000;
const quiet = () => undefined;

describe('BatchManager', () => {
  let engine: CelEngine;
  let clock: ManualClock;
  let store: MemoryBatchStore;
  let triggers: Map<string, CompiledTrigger>;
  let emitted: { triggerId: string; ids: string[] }[];
  let failEmits: number;

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryBatchStore();
    triggers = new Map();
    emitted = [];
    failEmits = 0;
  });

  function manager(): BatchManager {
    return new BatchManager({
      store,
      clock,
      trigger: (id) => triggers.get(id),
      emit: async (trigger: CompiledTrigger, events: CloudEvent[]) => {
        if (failEmits > 0) {
          failEmits--;
          throw new Error('Kafka is down');
        }
        emitted.push({ triggerId: trigger.id, ids: events.map((event) => event.id) });
      },
      log: quiet,
    });
  }

  function define(batch: Record<string, unknown>, id = 'crawl'): CompiledTrigger {
    const trigger = compiled(engine, { id, eventTypes: ['com.github.push'], batch });
    triggers.set(id, trigger);
    return trigger;
  }

  it('emits a batch once it has `size` events, in the order they came', async () => {
    const trigger = define({ size: 3 });
    const batches = manager();
    const events = [webhookEvent(), webhookEvent(), webhookEvent()];
    const outcomes = [];
    for (const event of events) outcomes.push(await batches.add(trigger, '', 0, event));
    expect(outcomes.map((o) => o.status === 'added' && o.full)).toEqual([false, false, true]);
    const last = outcomes[2];
    if (last?.status !== 'added') throw new Error('not added');
    await batches.flush(last.batchId);
    expect(emitted).toEqual([{ triggerId: 'crawl', ids: events.map((e) => e.id) }]);
    const stored = store.batches.get(last.batchId);
    expect(stored?.status).toBe('emitted');
    expect(stored?.keepUntil?.getTime()).toBe(clock.now() + trigger.dedupeWindowMs);
    expect(batches.openBatches).toBe(0);
  });

  it('emits the batches of one key at once when asked (a finished run closes its items’ batches)', async () => {
    const probe = define({ size: 5, timeout: '30s', key: 'event.source' });
    const other = define({ size: 5, timeout: '30s', key: 'event.source' }, 'other');
    const batches = manager();
    const [a, b, c, d] = [webhookEvent(), webhookEvent(), webhookEvent(), webhookEvent()];
    await batches.add(probe, 'run-1', 0, a);
    await batches.add(probe, 'run-1', 0, b);
    await batches.add(other, 'run-1', 1, c);
    await batches.add(probe, 'run-2', 0, d);
    await batches.flushKeyed('run-1');
    expect(emitted).toEqual([
      { triggerId: 'crawl', ids: [a.id, b.id] },
      { triggerId: 'other', ids: [c.id] },
    ]);
    await batches.flushKeyed('run-3');
    expect(emitted).toHaveLength(2);
    expect(batches.openBatches).toBe(1);
  });

  it('emits a batch when its timeout passes after its first event', async () => {
    const trigger = define({ size: 10, timeout: '30s' });
    const batches = manager();
    const first = webhookEvent();
    await batches.add(trigger, '', 0, first);
    clock.advance(10 * SECOND);
    const second = webhookEvent();
    await batches.add(trigger, '', 0, second);
    clock.advance(19 * SECOND);
    await settle();
    expect(emitted).toEqual([]);
    clock.advance(SECOND);
    await settle();
    expect(emitted).toEqual([{ triggerId: 'crawl', ids: [first.id, second.id] }]);
    const next = webhookEvent();
    await batches.add(trigger, '', 0, next);
    clock.advance(30 * SECOND);
    await settle();
    expect(emitted.map((e) => e.ids)).toEqual([[first.id, second.id], [next.id]]);
  });

  it('keeps one open batch per key and per partition', async () => {
    const trigger = define({ timeout: '1s', key: 'event.data.repo' });
    const batches = manager();
    const a1 = webhookEvent({ data: { repo: 'a' } });
    const b1 = webhookEvent({ data: { repo: 'b' } });
    const a2 = webhookEvent({ data: { repo: 'a' } });
    await batches.add(trigger, 'a', 0, a1);
    await batches.add(trigger, 'b', 0, b1);
    await batches.add(trigger, 'a', 0, a2);
    const a3 = webhookEvent({ data: { repo: 'a' } });
    await batches.add(trigger, 'a', 1, a3);
    clock.advance(SECOND);
    await settle();
    expect(emitted.map((e) => e.ids).sort()).toEqual([[a1.id, a2.id], [a3.id], [b1.id]].sort());
  });

  it('turns away an event that is already in a batch of the trigger', async () => {
    const trigger = define({ size: 5 });
    const batches = manager();
    const event = webhookEvent();
    await batches.add(trigger, '', 0, event);
    expect(await batches.add(trigger, '', 0, event)).toEqual({ status: 'duplicate' });
  });

  it('after a restart, emits a persisted batch once with every event', async () => {
    const trigger = define({ size: 10, timeout: '30s' });
    const before = manager();
    const events = [webhookEvent(), webhookEvent()];
    for (const event of events) await before.add(trigger, '', 2, event);
    await before.stop();
    clock.advance(60 * SECOND);
    await settle();
    expect(emitted).toEqual([]);
    expect(clock.pendingTimers).toBe(0);

    const after = manager();
    await after.assign([2]);
    await settle();
    expect(emitted).toEqual([{ triggerId: 'crawl', ids: events.map((e) => e.id) }]);
    clock.advance(60 * SECOND);
    await settle();
    expect(emitted).toHaveLength(1);
  });

  it('waits out the rest of the timeout of a batch loaded before its deadline', async () => {
    const trigger = define({ timeout: '30s' });
    const before = manager();
    await before.add(trigger, '', 0, webhookEvent());
    await before.stop();
    clock.advance(20 * SECOND);
    const after = manager();
    await after.assign([0]);
    clock.advance(9 * SECOND);
    await settle();
    expect(emitted).toEqual([]);
    clock.advance(SECOND);
    await settle();
    expect(emitted).toHaveLength(1);
  });

  it('retries a failed emission with backoff and emits once', async () => {
    const trigger = define({ size: 1 });
    const batches = manager();
    failEmits = 2;
    const outcome = await batches.add(trigger, '', 0, webhookEvent());
    if (outcome.status !== 'added') throw new Error('not added');
    await batches.flush(outcome.batchId);
    expect(emitted).toEqual([]);
    expect(store.batches.get(outcome.batchId)?.status).toBe('closed');
    clock.advance(60 * SECOND);
    await settle();
    clock.advance(60 * SECOND);
    await settle();
    expect(emitted).toHaveLength(1);
    expect(store.batches.get(outcome.batchId)?.status).toBe('emitted');
  });

  it('emits a batch that was closed but not emitted when its partition is loaded', async () => {
    const trigger = define({ size: 1 });
    const before = manager();
    failEmits = 1;
    const outcome = await before.add(trigger, '', 0, webhookEvent());
    if (outcome.status !== 'added') throw new Error('not added');
    await before.flush(outcome.batchId);
    await before.stop();
    expect(emitted).toEqual([]);
    const after = manager();
    await after.assign([0]);
    await settle();
    expect(emitted).toHaveLength(1);
  });

  it('discards the batches of a trigger that was deleted', async () => {
    const trigger = define({ timeout: '5s' });
    const batches = manager();
    await batches.add(trigger, '', 0, webhookEvent());
    triggers.delete('crawl');
    clock.advance(5 * SECOND);
    await settle();
    expect(emitted).toEqual([]);
    expect(store.batches.size).toBe(0);
  });

  it('leaves the batches of a revoked partition to their next owner', async () => {
    const trigger = define({ timeout: '5s' });
    const batches = manager();
    await batches.assign([0, 1]);
    await batches.add(trigger, '', 0, webhookEvent());
    await batches.assign([1]);
    clock.advance(10 * SECOND);
    await settle();
    expect(emitted).toEqual([]);
    await batches.assign([0, 1]);
    await settle();
    expect(emitted).toHaveLength(1);
  });

  it('loads a partition again after a failed load', async () => {
    const trigger = define({ size: 2 });
    const batches = manager();
    store.failNext = 1;
    await expect(batches.add(trigger, '', 0, webhookEvent())).rejects.toThrow(
      'the database is down',
    );
    expect((await batches.add(trigger, '', 0, webhookEvent())).status).toBe('added');
  });

  describe('debounce', () => {
    function debounced(debounce: Record<string, unknown>, id = 'sync'): CompiledTrigger {
      const trigger = compiled(engine, { id, eventTypes: ['com.github.push'], debounce });
      triggers.set(id, trigger);
      return trigger;
    }

    it('fires once the key has been quiet for the period, each event restarting the wait', async () => {
      const trigger = debounced({ period: '30s' });
      const batches = manager();
      const events = [webhookEvent(), webhookEvent(), webhookEvent()];
      for (const event of events) {
        await batches.add(trigger, 'repo-1', 0, event);
        clock.advance(20 * SECOND);
        await settle();
      }
      expect(emitted).toEqual([]);
      clock.advance(9 * SECOND);
      await settle();
      expect(emitted).toEqual([]);
      clock.advance(1 * SECOND);
      await settle();
      expect(emitted).toEqual([{ triggerId: 'sync', ids: events.map((e) => e.id) }]);
    });

    it('keeps one debounce per key', async () => {
      const trigger = debounced({ period: '10s' });
      const batches = manager();
      const a = webhookEvent();
      const b = webhookEvent();
      await batches.add(trigger, 'a', 0, a);
      clock.advance(5 * SECOND);
      await batches.add(trigger, 'b', 0, b);
      clock.advance(5 * SECOND);
      await settle();
      expect(emitted).toEqual([{ triggerId: 'sync', ids: [a.id] }]);
      clock.advance(5 * SECOND);
      await settle();
      expect(emitted.map((e) => e.ids)).toEqual([[a.id], [b.id]]);
    });

    it('fires no later than maxWait after the first event, however busy the key stays', async () => {
      const trigger = debounced({ period: '30s', maxWait: '1m' });
      const batches = manager();
      for (let i = 0; i < 5; i++) {
        await batches.add(trigger, '', 0, webhookEvent());
        clock.advance(15 * SECOND);
        await settle();
      }
      // Events at 0, 15, 30, 45 and 60 s: the fifth came at maxWait, when the debounce fired.
      expect(emitted).toHaveLength(1);
      expect(emitted[0]?.ids).toHaveLength(4);
      clock.advance(30 * SECOND);
      await settle();
      expect(emitted.map((e) => e.ids.length)).toEqual([4, 1]);
    });

    it('fires a persisted debounce after a restart at its due time, or at once when overdue', async () => {
      const trigger = debounced({ period: '30s' });
      const before = manager();
      const event = webhookEvent();
      await before.add(trigger, '', 0, event);
      clock.advance(10 * SECOND);
      await before.stop();
      const after = manager();
      await after.assign([0]);
      clock.advance(19 * SECOND);
      await settle();
      expect(emitted).toEqual([]);
      clock.advance(1 * SECOND);
      await settle();
      expect(emitted).toEqual([{ triggerId: 'sync', ids: [event.id] }]);

      const overdue = webhookEvent();
      await after.add(trigger, '', 0, overdue);
      await after.stop();
      clock.advance(60 * SECOND);
      await manager().assign([0]);
      await settle();
      expect(emitted.map((e) => e.ids)).toEqual([[event.id], [overdue.id]]);
    });

    it('recognises a replayed event, before and after its debounce fired', async () => {
      const trigger = debounced({ period: '5s' });
      const batches = manager();
      const event = webhookEvent();
      await batches.add(trigger, '', 0, event);
      expect((await batches.add(trigger, '', 0, event)).status).toBe('duplicate');
      clock.advance(5 * SECOND);
      await settle();
      expect((await batches.add(trigger, '', 0, event)).status).toBe('duplicate');
      clock.advance(5 * SECOND);
      await settle();
      expect(emitted).toHaveLength(1);
    });
  });
});
