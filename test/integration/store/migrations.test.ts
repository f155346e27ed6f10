import {
  appliedMigrations,
  MIGRATIONS,
  type Migration,
  MigrationError,
  openStore,
  runMigrations,
  storeConfigFromEnv,
  type Store,
} from '@flint/store';
import { describeIfPostgres, testDatabaseUrl } from '../../support/postgres';
import { describeEachStore, type OpenedStore, postgresBackend } from '../../support/store-backends';

const EXPECTED_TABLES = [
  'api_keys',
  'cron_slots',
  'dead_letters',
  'definition_history',
  'evaluator_batch_events',
  'evaluator_batches',
  'evaluator_compound_events',
  'evaluator_compound_matches',
  'evaluator_dedupe_keys',
  'evaluator_delayed_runs',
  'evaluator_rate_limit_slots',
  'evaluator_rate_limits',
  'event_archive',
  'leases',
  'outbox',
  'poll_history',
  'provider_state',
  'run_attempts',
  'run_cancellations',
  'runner_workflows',
  'runs',
  'schema_migrations',
  'secrets',
  'source_activity',
  'source_recent_events',
  'source_status',
  'sources',
  'trigger_activity',
  'triggers',
];

async function tables(store: Store): Promise<string[]> {
  const rows = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

async function columns(store: Store, table: string): Promise<Record<string, string>> {
  const rows = await store.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.column_name, row.data_type]));
}

describeEachStore('migrations', (backend) => {
  describe('from an empty database', () => {
    let db: OpenedStore;

    beforeEach(async () => {
      db = await backend.open({ migrate: false });
    });
    afterEach(() => db.dispose());

    it('creates the schema, then applies nothing the second time', async () => {
      const first = await runMigrations(db.store);
      expect(first.applied).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(await tables(db.store)).toEqual(EXPECTED_TABLES);

      const second = await runMigrations(db.store);
      expect(second.applied).toEqual([]);
      expect(await tables(db.store)).toEqual(EXPECTED_TABLES);
      expect((await appliedMigrations(db.store)).map((m) => m.version)).toEqual(
        MIGRATIONS.map((m) => m.version),
      );
      expect(await columns(db.store, 'runs')).toMatchObject({
        run_id: 'text',
        status: 'text',
        attempts: 'integer',
        input: 'jsonb',
        event_ids: 'ARRAY',
        claim_expires_at: 'timestamp with time zone',
      });
      expect(await columns(db.store, 'sources')).toMatchObject({
        provider: 'text',
        version: 'integer',
        body: 'jsonb',
        deleted_at: 'timestamp with time zone',
      });
      expect(await columns(db.store, 'outbox')).toMatchObject({ id: 'bigint', value: 'jsonb' });
    });

    it('keeps the schema and data across a restart and applies nothing then', async () => {
      await runMigrations(db.store);
      await db.store.query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ('x', 'me', now())",
      );
      await db.store.close();
      const reopened = await db.reopen();
      expect((await runMigrations(reopened)).applied).toEqual([]);
      expect(await reopened.query('SELECT name, holder FROM leases')).toEqual([
        { name: 'x', holder: 'me' },
      ]);
    });
  });

  describe('on a migrated database', () => {
    let db: OpenedStore;

    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => db.dispose());

    it('rolls a failing migration back completely and names it', async () => {
      const broken: Migration[] = [
        ...MIGRATIONS,
        {
          version: 9001,
          name: 'broken',
          statements: ['CREATE TABLE half_done (id int)', 'ALTER TABLE no_such_table ADD x int'],
        },
      ];
      const failure = runMigrations(db.store, broken);
      await expect(failure).rejects.toThrow(MigrationError);
      await expect(failure).rejects.toThrow(/migration 9001 "broken" failed: .*no_such_table/);
      expect(await tables(db.store)).toEqual(EXPECTED_TABLES);
      expect((await appliedMigrations(db.store)).map((m) => m.version)).not.toContain(9001);
    });

    it('refuses a database whose history disagrees with the code', async () => {
      await db.store.query("UPDATE schema_migrations SET name = 'renamed' WHERE version = 1");
      try {
        await expect(runMigrations(db.store)).rejects.toThrow(
          'database records migration 1 as "renamed" but this code calls it "initial"',
        );
      } finally {
        await db.store.query("UPDATE schema_migrations SET name = 'initial' WHERE version = 1");
      }
    });
  });
});

describeIfPostgres('migrations on PostgreSQL with several replicas starting at once', () => {
  it('applies each migration exactly once', async () => {
    const db = await postgresBackend.open({ migrate: false });
    try {
      const replicas = [db.store, ...(await Promise.all([1, 2, 3, 4].map(() => db.openReplica())))];
      const reports = await Promise.all(replicas.map((replica) => runMigrations(replica)));
      const appliedVersions = reports.flatMap((report) => report.applied.map((m) => m.version));
      expect(appliedVersions.sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await tables(db.store)).toEqual(EXPECTED_TABLES);
    } finally {
      await db.dispose();
    }
  });
});

describeIfPostgres('openStore with DATABASE_URL', () => {
  it('uses PostgreSQL, migrated', async () => {
    const store = await openStore(storeConfigFromEnv({ DATABASE_URL: testDatabaseUrl() }));
    try {
      expect(store.kind).toBe('postgres');
      expect(await tables(store)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    } finally {
      await store.close();
    }
  });

  it('fails with the reason when the database is unreachable', async () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = '/flint_no_such_database';
    await expect(openStore(storeConfigFromEnv({ DATABASE_URL: url.toString() }))).rejects.toThrow(
      'database "flint_no_such_database" does not exist',
    );
  });
});
