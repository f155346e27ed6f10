import { ManualClock } from '@flint/common/testing';
import { CelEngine, type CompiledTrigger } from '@flint/conditions';
import type { CloudEvent } from '@flint/contracts';
import { RunRequestMaker } from '../pipeline/run-request-maker';
import { MemoryCompoundStore } from '../simulation/memory-compound-store';
import { compiled, webhookEvent } from '../testing/triggers';
import { CompoundTracker } from './compound-tracker';

const MINUTE = 60_000;
const START = Date.parse('2026-01-02T03:00:00Z');
const MEMBERS = ['orders', 'com.example.paid'];

describe('CompoundTracker', () => {
  let engine: CelEngine;
  let clock: ManualClock;
  let store: MemoryCompoundStore;
  let tracker: CompoundTracker;
  let trigger: CompiledTrigger;

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  beforeEach(() => {
    clock = new ManualClock(START);
    store = new MemoryCompoundStore();
    const runs = new RunRequestMaker(clock, 'flint.runs');
    tracker = new CompoundTracker(store, clock, (t, members, completing) =>
      runs.forCompound(t, members, completing),
    );
    trigger = compiled(engine, {
      id: 'ship',
      sources: [{ id: 'orders', provider: 'event', config: { types: ['com.example.order'] } }],
      eventTypes: ['com.example.paid'],
      logic: 'all',
      within: '10m',
      correlate: 'event.data.orderId',
      input: {
        order: "events['orders'].data.orderId",
        paidBy: "events['com.example.paid'].data.by",
      },
    });
  });

  const order = (orderId: string, at: number) =>
    webhookEvent({ type: 'com.example.order', data: { orderId } }, at);
  const payment = (orderId: string, at: number, by = 'card') =>
    webhookEvent({ type: 'com.example.paid', data: { orderId, by } }, at);
  const offer = (
    event: CloudEvent,
    member: string,
    key = (event.data as { orderId: string }).orderId,
  ) => tracker.offer(trigger, MEMBERS, [member], key, event);

  it('fires once every member has an event within the window', async () => {
    const placed = order('o-1', START);
    expect(await offer(placed, 'orders')).toEqual({ status: 'waiting', expired: 0 });
    const paid = payment('o-1', START + 9 * MINUTE);
    const fired = await offer(paid, 'com.example.paid');
    if (fired.status !== 'fired') throw new Error(`expected fired, got ${fired.status}`);
    expect(fired.replay).toBe(false);
    expect(fired.runRequest).toMatchObject({
      triggerId: 'ship',
      eventIds: [placed.id, paid.id],
      input: { order: 'o-1', paidBy: 'card' },
      acceptedAt: placed.flintacceptedat,
    });
    expect(store.openMatches()).toEqual([]);
  });

  it('correlates by key: events of other orders do not complete the match', async () => {
    await offer(order('o-1', START), 'orders');
    expect((await offer(payment('o-2', START + MINUTE), 'com.example.paid')).status).toBe(
      'waiting',
    );
    expect(store.openMatches()).toHaveLength(2);
    expect((await offer(payment('o-1', START + MINUTE), 'com.example.paid')).status).toBe('fired');
  });

  it('drops a partial match whose window passed and counts it', async () => {
    await offer(order('o-1', START), 'orders');
    const late = await offer(payment('o-1', START + 10 * MINUTE + 1), 'com.example.paid');
    expect(late).toEqual({ status: 'waiting', expired: 1 });
    const [open] = store.openMatches();
    expect(Object.keys(open?.members ?? {})).toEqual(['com.example.paid']);
    expect(open?.startedAt.getTime()).toBe(START + 10 * MINUTE + 1);
  });

  it('sweeps matches whose window passed on the clock', async () => {
    await offer(order('o-1', START), 'orders');
    await offer(order('o-2', START + 5 * MINUTE), 'orders');
    clock.advance(11 * MINUTE);
    expect(await tracker.sweep(new Date(clock.now()))).toEqual({ expired: 1, removed: 0 });
    expect(store.openMatches()).toHaveLength(1);
  });

  it('counts the first event per member; a second for the same member is a duplicate', async () => {
    const first = order('o-1', START);
    await offer(first, 'orders');
    expect(await offer(order('o-1', START + MINUTE), 'orders')).toEqual({
      status: 'duplicate',
      expired: 0,
    });
    const fired = await offer(payment('o-1', START + 2 * MINUTE), 'com.example.paid');
    expect(fired.status === 'fired' && fired.runRequest.eventIds[0]).toBe(first.id);
  });

  it('sends the same run request again for a replayed member of a fired match', async () => {
    const placed = order('o-1', START);
    await offer(placed, 'orders');
    const paid = payment('o-1', START + MINUTE);
    const fired = await offer(paid, 'com.example.paid');
    const replayed = await offer(placed, 'orders');
    expect(replayed).toMatchObject({ status: 'fired', replay: true });
    expect(replayed.status === 'fired' && replayed.runRequest.runId).toBe(
      fired.status === 'fired' && fired.runRequest.runId,
    );
    expect(store.openMatches()).toEqual([]);
    expect(await offer(placed, 'orders')).toMatchObject({ status: 'fired', replay: true });
  });

  it('treats a replayed member of an open match as a duplicate', async () => {
    const placed = order('o-1', START);
    await offer(placed, 'orders');
    expect(await offer(placed, 'orders')).toEqual({ status: 'duplicate', expired: 0 });
  });

  it('fails the match when its input cannot be mapped', async () => {
    await offer(order('o-1', START), 'orders');
    const noBy = webhookEvent({ type: 'com.example.paid', data: { orderId: 'o-1' } }, START);
    const failed = await offer(noBy, 'com.example.paid');
    expect(failed.status).toBe('failed');
    expect(failed.status === 'failed' && String(failed.error)).toContain('input.paidBy');
    expect(await offer(noBy, 'com.example.paid')).toEqual({ status: 'duplicate', expired: 0 });
  });

  it('fills the first empty member an event stands for', async () => {
    const both = webhookEvent(
      { type: 'com.example.paid', data: { orderId: 'o-1', by: 'x' } },
      START,
    );
    const other = webhookEvent(
      { type: 'com.example.paid', data: { orderId: 'o-1', by: 'y' } },
      START,
    );
    expect((await tracker.offer(trigger, MEMBERS, MEMBERS, 'o-1', both)).status).toBe('waiting');
    const fired = await tracker.offer(trigger, MEMBERS, MEMBERS, 'o-1', other);
    expect(fired.status === 'fired' && fired.runRequest.eventIds).toEqual([both.id, other.id]);
  });

  describe('sequence and atLeast', () => {
    const STEPS = ['a.started', 'a.built', 'a.deployed'];
    const step = (type: string, at: number) => webhookEvent({ type, data: { id: 'x' } }, at);
    const define = (logic: unknown) =>
      compiled(engine, { id: 'pipeline', eventTypes: STEPS, logic, within: '10m' });
    const offerTo = (t: CompiledTrigger, event: CloudEvent) =>
      tracker.offer(t, STEPS, [event.type], 'x', event);

    it('completes a sequence only in order; out-of-order events do not count', async () => {
      const sequence = define('sequence');
      expect((await offerTo(sequence, step('a.built', START))).status).toBe('out_of_order');
      const started = step('a.started', START + MINUTE);
      expect((await offerTo(sequence, started)).status).toBe('waiting');
      expect((await offerTo(sequence, step('a.deployed', START + 2 * MINUTE))).status).toBe(
        'out_of_order',
      );
      expect((await offerTo(sequence, step('a.started', START + 2 * MINUTE))).status).toBe(
        'duplicate',
      );
      const built = step('a.built', START + 3 * MINUTE);
      expect((await offerTo(sequence, built)).status).toBe('waiting');
      const deployed = step('a.deployed', START + 4 * MINUTE);
      const fired = await offerTo(sequence, deployed);
      if (fired.status !== 'fired') throw new Error(`expected fired, got ${fired.status}`);
      expect(fired.runRequest.eventIds).toEqual([started.id, built.id, deployed.id]);
    });

    it('completes atLeast k with any k members, keeping each member’s event', async () => {
      const twoOfThree = define({ atLeast: 2 });
      const deployed = step('a.deployed', START);
      expect((await offerTo(twoOfThree, deployed)).status).toBe('waiting');
      expect((await offerTo(twoOfThree, step('a.deployed', START + MINUTE))).status).toBe(
        'duplicate',
      );
      const started = step('a.started', START + 2 * MINUTE);
      const fired = await offerTo(twoOfThree, started);
      if (fired.status !== 'fired') throw new Error(`expected fired, got ${fired.status}`);
      expect(fired.runRequest.eventIds).toEqual([deployed.id, started.id]);
      expect(fired.runRequest.input).toMatchObject({
        events: { 'a.deployed': { id: deployed.id }, 'a.started': { id: started.id } },
      });
    });
  });
});
