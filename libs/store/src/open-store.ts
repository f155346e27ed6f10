import { pgliteDataDir, type StoreConfig } from './config';
import { type MigrationReport, runMigrations } from './migrator';
import { PgliteStore } from './pglite-store';
import { PostgresStore } from './postgres-store';
import type { Store } from './store';

export interface OpenStoreOptions {
  /** Bring the schema up to date before returning (default true). */
  migrate?: boolean;
  onMigrated?: (report: MigrationReport) => void;
}

/** PostgreSQL when the config names one, else the embedded database in `${dataDir}/pglite`; migrated. */
export async function openStore(
  config: StoreConfig,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const open = (): Promise<Store> =>
    config.databaseUrl
      ? Promise.resolve(new PostgresStore({ url: config.databaseUrl, poolMax: config.poolMax }))
      : PgliteStore.open({ dataDir: pgliteDataDir(config) });
  const store = await open();
  if (!(options.migrate ?? true)) return store;
  let report: MigrationReport;
  try {
    report = await runMigrations(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  options.onMigrated?.(report);
  if (store.kind !== 'pglite' || report.applied.length === 0) return store;
  // PGlite's memory only grows, and creating a database and its schema grows it by about 100 MB
  // that a long-running local stack would hold for good. A fresh instance on the migrated files
  // starts small, as on every later start.
  await store.close();
  return open();
}
