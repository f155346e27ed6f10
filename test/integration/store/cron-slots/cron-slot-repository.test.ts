import { CronSlotRepository, type Store } from '@flint/store';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';

const at = (minute: number) => Date.UTC(2026, 11, 6, 10, minute);

/** What a backfill asks of the slot ledger, on both stores. */
describeEachStore('CronSlotRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let slots: CronSlotRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    slots = new CronSlotRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  it('counts fired and claimed slots as taken, skipped ones not, and records a backfill', async () => {
    await store.query(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status)
       VALUES ('nightly', $1, 'r1', 'fired'), ('nightly', $2, 'r1', 'claimed'),
              ('nightly', $3, 'r1', 'skipped'), ('other', $4, 'r1', 'fired')`,
      [at(1), at(2), at(3), at(4)].map((t) => new Date(t).toISOString()),
    );
    const range = [at(0), at(1), at(2), at(3), at(4)];
    expect([...(await slots.taken('nightly', range))].sort()).toEqual([at(1), at(2)]);
    expect(await slots.taken('nightly', [])).toEqual(new Set());

    await slots.recordFired('nightly', [at(0), at(1), at(3), at(4)], 'api-backfill');
    expect([...(await slots.taken('nightly', range))].sort()).toEqual(range);
    const rows = await store.query<{
      slot_time: Date | string;
      claimed_by: string;
      status: string;
    }>(
      `SELECT slot_time, claimed_by, status FROM cron_slots WHERE source_id = 'nightly'
        ORDER BY slot_time`,
    );
    expect(
      rows.map((row) => [new Date(row.slot_time).getTime(), row.claimed_by, row.status]),
    ).toEqual([
      [at(0), 'api-backfill', 'fired'],
      [at(1), 'r1', 'fired'],
      [at(2), 'r1', 'claimed'],
      [at(3), 'api-backfill', 'fired'],
      [at(4), 'api-backfill', 'fired'],
    ]);
  });
});
