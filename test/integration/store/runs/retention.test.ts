import { ManualClock } from '@flint/common/testing';
import { EventArchiveRepository, RunRetentionRepository, type Store } from '@flint/store';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import { retainedTables } from '../../../../apps/runner/src/retention/retained-tables';
import { TableRetention } from '../../../../apps/runner/src/retention/table-retention';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';
import { runRequest } from '../../runner/runner-harness';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-03-01T12:00:00Z');
const source = { topic: 'flint.runs', partition: 0, offset: '1' };
const noMessages = { skippedMessages: () => [] };

describeEachStore('the runs retention', (backend) => {
  let db: OpenedStore;
  let store: Store;
  let runs: RunRepositories;

  beforeAll(async () => {
    db = await backend.open();
    store = db.store;
    runs = runRepositories(store);
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => db.dispose());

  /** A run claimed and attempted once; finished `daysAgo` before NOW unless still in progress. */
  async function run(status: 'SUCCEEDED' | 'FAILED' | 'REQUESTED', daysAgo: number) {
    const request = runRequest();
    await runs.claims.claim([newRun(request, source, 30_000)], noMessages);
    await store.query(
      `INSERT INTO run_attempts (run_id, attempt, runner, started_at, outcome)
       VALUES ($1, 1, 'r', $2::timestamptz, 'succeeded')`,
      [request.runId, new Date(NOW.getTime() - daysAgo * DAY).toISOString()],
    );
    await store.query(
      `UPDATE runs SET status = $2, requested_at = $3::timestamptz,
              finished_at = CASE WHEN $2 = 'REQUESTED' THEN NULL ELSE $3::timestamptz END
        WHERE run_id = $1`,
      [request.runId, status, new Date(NOW.getTime() - daysAgo * DAY).toISOString()],
    );
    return request.runId;
  }

  const remaining = async () =>
    (await store.query<{ run_id: string }>('SELECT run_id FROM runs ORDER BY run_id')).map(
      (row) => row.run_id,
    );

  it('deletes finished runs past the retention with their attempts, in batches, and keeps the rest', async () => {
    const old = [
      await run('SUCCEEDED', 45),
      await run('FAILED', 31),
      await run('SUCCEEDED', 30.01),
      await run('SUCCEEDED', 400),
      await run('FAILED', 90),
    ];
    const recent = [await run('SUCCEEDED', 29.9), await run('FAILED', 1)];
    // In progress for 60 days (a run waiting on long retries): never deleted, however old.
    const inProgress = await run('REQUESTED', 60);
    const batches: number[] = [];
    const [runs] = retainedTables(store, {
      runsMs: 30 * DAY,
      deletedSourceStateMs: DAY,
      deadLettersMs: DAY,
    });
    expect(runs?.table).toBe('runs');
    const retention = new TableRetention({
      tables: [
        {
          ...runs!,
          prune: async (before, size) => {
            const deleted = await runs!.prune(before, size);
            batches.push(deleted);
            return deleted;
          },
        },
      ],
      clock: new ManualClock(NOW),
      intervalMs: 60_000,
      batchSize: 2,
      log: () => undefined,
    });

    expect(await retention.pruneOnce()).toEqual({ runs: old.length });
    expect(batches).toEqual([2, 2, 1]);
    expect(await remaining()).toEqual([...recent, inProgress].sort());
    const attempts = await store.query<{ run_id: string }>('SELECT run_id FROM run_attempts');
    expect(attempts.map((row) => row.run_id).sort()).toEqual([...recent, inProgress].sort());
    expect(await retention.pruneOnce()).toEqual({});
  });

  it('reports the size of the tables that grow', async () => {
    await run('SUCCEEDED', 1);
    const sizes = await new RunRetentionRepository(store).tableSizes();
    expect(sizes.map((size) => size.table)).toEqual(
      expect.arrayContaining(['runs', 'run_attempts', 'outbox', 'evaluator_dedupe_keys']),
    );
    expect(sizes.find((size) => size.table === 'runs')?.bytes).toBeGreaterThan(0);
    // The event archive is partitioned by day: its size is that of its partitions.
    const archive = new EventArchiveRepository(store);
    await archive.write([
      {
        acceptedAt: new Date('2026-12-06T10:00:00Z'),
        eventId: 'sized',
        sourceId: 'hook',
        provider: 'webhook',
        type: 't',
        event: { data: 'x'.repeat(10_000) },
        fromFlint: true,
        fired: [],
        decisions: [],
        decisionsOmitted: 0,
      },
    ]);
    const withArchive = await new RunRetentionRepository(store).tableSizes();
    expect(withArchive.find((size) => size.table === 'event_archive')?.bytes).toBeGreaterThan(0);
  });
});
