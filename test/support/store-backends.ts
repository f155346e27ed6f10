import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PgliteStore,
  PostgresStore,
  type Queryable,
  runMigrations,
  type Store,
  type StoreKind,
} from '@flint/store';
import { waitFor } from './kafka';
import { createScratchDatabase, describeIfPostgres } from './postgres';

/** A store on an empty database of its own, and how to throw both away. */
export interface OpenedStore {
  store: Store;
  /** Another connection to the same database, as a second replica would have (PostgreSQL only). */
  openReplica(): Promise<Store>;
  /** Reopens the same database after close() (PGlite: the same data folder). */
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

/**
 * Empties every table but the migration history, so tests can share one migrated database: creating
 * an embedded one takes seconds, emptying it milliseconds.
 */
export async function emptyTables(store: Store): Promise<void> {
  const tables = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
  );
  const names = tables.map((table) => `"${table.table_name}"`).join(', ');
  if (names) await store.query(`TRUNCATE ${names} RESTART IDENTITY`);
}

/**
 * Waits until `count` sessions on the store's database wait for a lock (PostgreSQL only), so a race
 * test knows the calls it started have reached the lock it holds before it lets them go on.
 * `waiters` names them in the timeout error, e.g. "adds waiting for the batch's lock".
 */
export async function waitForLockWaiters(
  store: Queryable,
  count: number,
  waiters: string,
): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await store.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return (row?.waiting ?? 0) >= count;
    },
    { description: `${count} ${waiters}` },
  );
}

export interface StoreBackend {
  kind: StoreKind;
  /** A fresh, empty database; migrated unless told otherwise. */
  open(options?: { migrate?: boolean }): Promise<OpenedStore>;
}

const postgres: StoreBackend = {
  kind: 'postgres',
  async open({ migrate = true } = {}) {
    const database = await createScratchDatabase('store');
    const connect = () => new PostgresStore({ url: database.url, poolMax: 5 });
    const opened: Store[] = [connect()];
    if (migrate) await runMigrations(opened[0] as Store);
    return {
      store: opened[0] as Store,
      openReplica: async () => {
        const replica = connect();
        opened.push(replica);
        return replica;
      },
      reopen: async () => {
        const again = connect();
        opened.push(again);
        return again;
      },
      dispose: async () => {
        await Promise.all(opened.map((store) => store.close()));
        await database.drop();
      },
    };
  },
};

const pglite: StoreBackend = {
  kind: 'pglite',
  async open({ migrate = true } = {}) {
    const root = mkdtempSync(join(tmpdir(), 'flint-store-'));
    const dataDir = join(root, 'pglite');
    const opened: Store[] = [await PgliteStore.open({ dataDir })];
    if (migrate) await runMigrations(opened[0] as Store);
    return {
      store: opened[0] as Store,
      openReplica: async () => {
        throw new Error('the embedded database has one connection; there are no replicas');
      },
      reopen: async () => {
        const again = await PgliteStore.open({ dataDir });
        opened.push(again);
        return again;
      },
      dispose: async () => {
        await Promise.all(opened.map((store) => store.close()));
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
};

/** Declares the same tests for PostgreSQL (skipped when unreachable outside CI) and for PGlite. */
export function describeEachStore(name: string, tests: (backend: StoreBackend) => void): void {
  describeIfPostgres(`${name} on PostgreSQL`, () => tests(postgres));
  describe(`${name} on PGlite`, () => tests(pglite));
}

export { postgres as postgresBackend, pglite as pgliteBackend };
