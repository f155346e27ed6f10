import { ActivityRepository, type RecentEvent, type Store } from '@flint/store';
import {
  describeEachStore,
  emptyTables,
  type OpenedStore,
  waitForLockWaiters,
} from '../../../support/store-backends';

const MINUTE = 60_000;
const T0 = new Date('2026-05-01T10:00:00Z');

function event(sourceId: string, eventId: string, seconds: number): RecentEvent {
  const at = new Date(T0.getTime() + seconds * 1000);
  return {
    sourceId,
    eventId,
    type: 'com.example.x',
    time: at,
    acceptedAt: at,
    provider: 'webhook',
    dataExcerpt: `{"n":${seconds}}`,
    dataTruncated: false,
  };
}

const counts = (triggerId: string, minute: Date, received: number) => ({
  triggerId,
  minute,
  received,
  matched: received,
  dropped: 0,
  duplicate: 0,
  errors: 0,
});

describeEachStore('ActivityRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let activity: ActivityRepository;
  const bounds = { eventsPerSource: 2, countsSince: new Date(T0.getTime() - 3_600_000) };

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    activity = new ActivityRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  it('adds flushes up per trigger and minute and reads them back over a range', async () => {
    const next = new Date(T0.getTime() + MINUTE);
    await activity.record(
      { counts: [counts('a', T0, 2), counts('a', next, 1)], events: [] },
      bounds,
    );
    await activity.record({ counts: [counts('a', T0, 3), counts('b', T0, 9)], events: [] }, bounds);
    const minutes = await activity.triggerActivity('a', T0, new Date(T0.getTime() + 2 * MINUTE));
    expect(minutes.map((m) => [m.minute.toISOString(), m.received, m.matched])).toEqual([
      [T0.toISOString(), 5, 5],
      [next.toISOString(), 1, 1],
    ]);
    expect(
      await activity.triggerActivity('a', next, new Date(next.getTime() + MINUTE)),
    ).toHaveLength(1);
  });

  it('keeps the last events of each touched source, in arrival order, once per id', async () => {
    await activity.record(
      { counts: [], events: [event('s', 'e1', 1), event('s', 'e2', 2), event('t', 'x1', 1)] },
      bounds,
    );
    await activity.record(
      { counts: [], events: [event('s', 'e3', 3), event('s', 'e2', 2)] },
      bounds,
    );
    expect((await activity.recentEvents('s', 10)).map((e) => e.eventId)).toEqual(['e3', 'e2']);
    expect((await activity.recentEvents('t', 10)).map((e) => e.eventId)).toEqual(['x1']);
    const [latest] = await activity.recentEvents('s', 1);
    expect(latest).toEqual({ ...event('s', 'e3', 3), dataTruncated: false });
  });
  // The embedded database has one connection, so no replica: PostgreSQL only.
  const onPostgres = backend.kind === 'postgres' ? it : it.skip;
  onPostgres(
    'adds up two replicas flushing the same minutes in opposite orders at once',
    async () => {
      const replica = new ActivityRepository(await opened.openReplica());
      await activity.record(
        { counts: [counts('a', T0, 1), counts('b', T0, 1)], events: [] },
        bounds,
      );
      let flushes: Promise<void>[] = [];
      // With b's row held elsewhere, the replica waits for b first, then this one takes a and waits for
      // b: whoever gets b next must not then wait for a held by the other.
      await store.transaction(async (tx) => {
        await tx.query("SELECT 1 FROM trigger_activity WHERE trigger_id = 'b' FOR UPDATE");
        const first = replica.record(
          { counts: [counts('b', T0, 10), counts('a', T0, 10)], events: [] },
          bounds,
        );
        await waitForLockWaiters(store, 1, "flushes waiting for a row's lock");
        const second = activity.record(
          { counts: [counts('a', T0, 100), counts('b', T0, 100)], events: [] },
          bounds,
        );
        flushes = [first, second];
        await waitForLockWaiters(store, 2, "flushes waiting for a row's lock");
      });
      await Promise.all(flushes);
      const minutes = await activity.triggerActivity('a', T0, new Date(T0.getTime() + MINUTE));
      expect(minutes.map((m) => m.received)).toEqual([111]);
    },
  );
});
