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
  const store: Store = config.databaseUrl
    ? new PostgresStore({ url: config.databaseUrl, poolMax: config.poolMax })
    : await PgliteStore.open({ dataDir: pgliteDataDir(config) });
  if (options.migrate ?? true) {
    try {
      const report = await runMigrations(store);
      options.onMigrated?.(report);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
