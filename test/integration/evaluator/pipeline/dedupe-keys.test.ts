import type { Store } from '@flint/store';
import { DedupeKeyRepository } from '../../../../apps/evaluator/src/pipeline/dedupe-keys';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';

const DAY = 24 * 3600 * 1000;
const at = (iso: string) => Date.parse(iso);

describeEachStore('DedupeKeyRepository', (backend) => {
  let db: OpenedStore;
  let store: Store;
  let keys: DedupeKeyRepository;

  beforeAll(async () => {
    db = await backend.open();
    store = db.store;
    keys = new DedupeKeyRepository(store);
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => db.dispose());

  const seen = (key: string, when: string, triggerId = 'deploy') => ({
    triggerId,
    key,
    at: at(when),
    windowMs: DAY,
  });

  it('opens a window at the first sighting and keeps it across midnight, until it has passed', async () => {
    const first = '2026-01-02T23:59:55Z';
    expect(await keys.open([seen('delivery-1', first)])).toEqual([at(first)]);
    // The sender's retry 10 s later, on the next day; and a replay of the first sighting.
    expect(await keys.open([seen('delivery-1', '2026-01-03T00:00:05Z')])).toEqual([at(first)]);
    expect(await keys.open([seen('delivery-1', first)])).toEqual([at(first)]);
    expect(await keys.open([seen('delivery-1', '2026-01-03T23:59:54.999Z')])).toEqual([at(first)]);
    // A day after the first sighting: a new window, which later sightings then keep.
    const next = '2026-01-03T23:59:55Z';
    expect(await keys.open([seen('delivery-1', next)])).toEqual([at(next)]);
    expect(await keys.open([seen('delivery-1', '2026-01-04T10:00:00Z')])).toEqual([at(next)]);
  });

  it('answers a whole pass at once: keys apart per trigger, a key repeated in the pass alike', async () => {
    const long = 'k'.repeat(20_000);
    await keys.open([seen('a', '2026-01-02T10:00:00Z')]);
    expect(
      await keys.open([
        seen('a', '2026-01-02T11:00:00Z'),
        seen('a', '2026-01-02T11:00:00Z', 'other-trigger'),
        seen(long, '2026-01-02T11:00:01Z'),
        seen(long, '2026-01-02T11:00:02Z'),
      ]),
    ).toEqual([
      at('2026-01-02T10:00:00Z'),
      at('2026-01-02T11:00:00Z'),
      at('2026-01-02T11:00:01Z'),
      at('2026-01-02T11:00:01Z'),
    ]);
    expect(await keys.open([])).toEqual([]);
  });

  it('deletes windows that ended before the given moment', async () => {
    await keys.open([seen('old', '2026-01-01T00:00:00Z'), seen('new', '2026-01-02T00:00:00Z')]);
    expect(await keys.deleteExpired(new Date('2026-01-02T12:00:00Z'))).toBe(1);
    // The forgotten key opens a new window; the kept one still answers with its first sighting.
    expect(
      await keys.open([seen('old', '2026-01-02T12:00:00Z'), seen('new', '2026-01-02T12:00:00Z')]),
    ).toEqual([at('2026-01-02T12:00:00Z'), at('2026-01-02T00:00:00Z')]);
  });

  // The embedded database has one connection, so no replica: PostgreSQL only.
  const onPostgres = backend.kind === 'postgres' ? it : it.skip;
  onPostgres('gives two replicas opening the same keys at once the same window', async () => {
    const replica = new DedupeKeyRepository(await db.openReplica());
    for (let round = 0; round < 30; round++) {
      // Each replica met the keys at a moment of its own (events on different partitions).
      const mine = Array.from({ length: 20 }, (_, n) =>
        seen(`r${round}-k${n}`, '2026-01-02T10:00:00Z'),
      );
      const theirs = mine.map((key) => ({ ...key, at: key.at + 1 + (round % 3) }));
      const [a, b] = await Promise.all([keys.open(mine), replica.open(theirs)]);
      expect({ round, windows: b }).toEqual({ round, windows: a });
    }
  });
});
