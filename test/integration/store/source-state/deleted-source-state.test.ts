import { ManualClock } from '@flint/common/testing';
import {
  DeletedSourceStateRepository,
  ProviderStateRepository,
  SOURCE_STATE_TABLES,
  type Store,
} from '@flint/store';
import { retainedTables } from '../../../../apps/runner/src/retention/retained-tables';
import { TableRetention } from '../../../../apps/runner/src/retention/table-retention';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-03-01T12:00:00Z');

describeEachStore("the retention of deleted sources' state", (backend) => {
  let db: OpenedStore;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = db.store;
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => db.dispose());

  /** A source row, deleted `deletedDaysAgo` before NOW (or live), with a row in every state table. */
  async function source(id: string, deletedDaysAgo?: number): Promise<void> {
    const deletedAt =
      deletedDaysAgo === undefined ? null : new Date(NOW.getTime() - deletedDaysAgo * DAY);
    await store.query(
      `INSERT INTO sources (id, owner, enabled, version, body, provider, deleted_at)
       VALUES ($1, 'team', true, 1, '{}'::jsonb, 'poller', $2::timestamptz)`,
      [id, deletedAt?.toISOString() ?? null],
    );
    await new ProviderStateRepository(store, 'poller').putMany(id, [
      ['cursor', 'abc'],
      ['seen', [1, 2]],
    ]);
    await store.query(
      `INSERT INTO poll_history (source_id, polled_at, duration_ms, outcome) VALUES ($1, now(), 5, 'fired')`,
      [id],
    );
    await store.query(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status) VALUES ($1, now(), 'r', 'fired')`,
      [id],
    );
    await store.query(
      `INSERT INTO source_status (source_id, replica, provider, version, state)
       VALUES ($1, 'replica-1', 'poller', 1, 'running')`,
      [id],
    );
  }

  const sourcesIn = async (table: string) =>
    (
      await store.query<{ source_id: string }>(
        `SELECT DISTINCT source_id FROM ${table} ORDER BY source_id`,
      )
    ).map((row) => row.source_id);

  it("deletes every table's rows of sources deleted before the retention, in batches, and keeps the rest", async () => {
    await source('deleted-long-ago', 30);
    await source('deleted-8-days-ago', 8);
    await source('deleted-yesterday', 1);
    await source('live');
    const pruned: string[] = [];
    const retention = new TableRetention({
      // Every retained table: the others have nothing to delete here.
      tables: retainedTables(store, {
        runsMs: DAY,
        deletedSourceStateMs: 7 * DAY,
        deadLettersMs: DAY,
      }),
      clock: new ManualClock(NOW),
      intervalMs: 60_000,
      batchSize: 1,
      log: () => undefined,
      onPruned: (table, count) => pruned.push(`${table}:${count}`),
    });

    expect(await retention.pruneOnce()).toEqual({
      provider_state: 4,
      poll_history: 2,
      cron_slots: 2,
      source_status: 2,
    });
    expect(pruned).toEqual([
      'provider_state:4',
      'poll_history:2',
      'cron_slots:2',
      'source_status:2',
    ]);
    for (const table of SOURCE_STATE_TABLES) {
      expect(await sourcesIn(table)).toEqual(['deleted-yesterday', 'live']);
    }
    // The definition rows stay (a re-created source continues from its version).
    const [{ count } = { count: 0 }] = await store.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM sources',
    );
    expect(count).toBe(4);
    expect(await retention.pruneOnce()).toEqual({});
  });

  it('keeps the state of a source that was deleted and created again', async () => {
    await source('recreated', 30);
    await store.query(`UPDATE sources SET deleted_at = NULL, version = 2 WHERE id = 'recreated'`);
    const state = new DeletedSourceStateRepository(store);
    for (const table of SOURCE_STATE_TABLES) {
      expect(await state.prune(table, NOW, 100)).toBe(0);
    }
    expect(await new ProviderStateRepository(store, 'poller').get('recreated', 'cursor')).toBe(
      'abc',
    );
  });

  it('refuses a table that holds no source state', async () => {
    await expect(
      new DeletedSourceStateRepository(store).prune('runs' as never, NOW, 10),
    ).rejects.toThrow('not a source state table: runs');
  });
});
