import type { Store } from '@flint/store';
import { EvaluatorCompoundRepository } from '../../../../apps/evaluator/src/compound/compound-repository';
import { waitFor } from '../../../support/kafka';
import { describeEachStore, type OpenedStore } from '../../../support/store-backends';

const T0 = new Date('2026-01-02T03:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A payload no jsonb column accepts: U+0000, as some JSON events carry. */
const HOSTILE = { text: 'nul \u0000 here', emoji: '🚀', nested: { list: [1, 'two', null] } };

describeEachStore('evaluator compound matches', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
  });

  afterAll(async () => {
    await opened.dispose();
  });

  let compounds: EvaluatorCompoundRepository;
  const key = (eventId: string, correlationKey = 'o-1') => ({
    triggerId: 'ship',
    correlationKey,
    eventId,
  });

  beforeAll(() => {
    compounds = new EvaluatorCompoundRepository(store);
  });

  it('keeps a partial match with its members and recognises its events', async () => {
    const started = await compounds.withMatch(key('order-1'), async (session) => {
      expect(session.open).toBeUndefined();
      expect(session.membership).toBeUndefined();
      const match = await session.start(T0, at(60_000));
      await session.addMember(match.id, 'orders', { id: 'order-1', data: HOSTILE });
      return match;
    });
    await compounds.withMatch(key('pay-1'), async (session) => {
      expect(session.open).toEqual({
        id: started.id,
        startedAt: T0,
        expiresAt: at(60_000),
        members: { orders: { id: 'order-1', data: HOSTILE } },
      });
    });
    await compounds.withMatch(key('order-1'), async (session) => {
      expect(session.membership).toEqual({
        matchId: started.id,
        status: 'open',
        runRequest: null,
      });
    });
    await compounds.withMatch(key('x', 'o-2'), async (session) => {
      expect(session.open).toBeUndefined();
    });
  });

  it('finishes a match and hands its run request to replayed members', async () => {
    const runRequest = { runId: 'ship.abc', input: { note: 'nul \u0000' } };
    await compounds.withMatch(key('pay-1'), async (session) => {
      const open = session.open;
      if (!open) throw new Error('no open match');
      await session.addMember(open.id, 'payments', { id: 'pay-1' });
      await session.finish(open.id, { status: 'fired', runRequest }, at(120_000));
    });
    await compounds.withMatch(key('order-1'), async (session) => {
      expect(session.membership).toMatchObject({ status: 'fired', runRequest });
      expect(session.open).toBeUndefined();
    });
    expect(await compounds.sweep(at(119_999))).toEqual({ expired: 0, removed: 0 });
    expect(await compounds.sweep(at(120_001))).toEqual({ expired: 0, removed: 1 });
    await compounds.withMatch(key('order-1'), async (session) => {
      expect(session.membership).toBeUndefined();
    });
  });

  it('sweeps open matches whose window has passed', async () => {
    await compounds.withMatch(key('late', 'o-3'), async (session) => {
      const match = await session.start(T0, at(1000));
      await session.addMember(match.id, 'orders', { id: 'late' });
    });
    expect(await compounds.sweep(at(999))).toEqual({ expired: 0, removed: 0 });
    expect(await compounds.sweep(at(1001))).toEqual({ expired: 1, removed: 0 });
  });

  it('drops a match on request', async () => {
    await compounds.withMatch(key('a', 'o-4'), async (session) => {
      const match = await session.start(T0, at(1000));
      await session.addMember(match.id, 'orders', { id: 'a' });
    });
    await compounds.withMatch(key('b', 'o-4'), async (session) => {
      await session.drop(session.open?.id as string);
    });
    await compounds.withMatch(key('a', 'o-4'), async (session) => {
      expect(session.open).toBeUndefined();
      expect(session.membership).toBeUndefined();
    });
  });

  if (backend.kind === 'postgres') {
    it('lets replicas take turns on one match', async () => {
      const replica = new EvaluatorCompoundRepository(await opened.openReplica());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const first = compounds.withMatch(key('r1', 'o-5'), async (session) => {
        const match = await session.start(T0, at(60_000));
        await session.addMember(match.id, 'orders', { id: 'r1' });
        order.push('first holds the match');
        await held;
        order.push('first done');
      });
      await waitFor(() => order.length > 0);
      const second = replica.withMatch(key('r2', 'o-5'), async (session) => {
        order.push(`second sees ${Object.keys(session.open?.members ?? {}).join(',')}`);
      });
      // The second session is waiting for the first's lock, not running beside it.
      await waitFor(
        async () =>
          (await store.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
            .length > 0,
        { description: 'the second session to wait for the lock' },
      );
      expect(order).toEqual(['first holds the match']);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['first holds the match', 'first done', 'second sees orders']);
    });
  }
});
