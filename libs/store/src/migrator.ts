import { ADVISORY_LOCK_NAMESPACE, AdvisoryLock } from './advisory-locks';
import { MIGRATIONS, type Migration } from './migrations';
import type { Queryable, Store } from './store';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface AppliedMigration {
  version: number;
  name: string;
}

export interface MigrationReport {
  /** Migrations this call applied, in order; empty when the schema was already current. */
  applied: AppliedMigration[];
}

/**
 * The migrations still to apply, oldest first. Refuses a broken list (duplicate or unordered versions)
 * and a database whose history disagrees with the code (a known version recorded under another name),
 * since applying on top of either would leave a schema nobody wrote.
 */
export function pendingMigrations(
  known: readonly Migration[],
  applied: readonly AppliedMigration[],
): Migration[] {
  known.forEach((migration, index) => {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new MigrationError(
        `migration "${migration.name}" has version ${migration.version}; versions are whole numbers from 1`,
      );
    }
    const previous = known[index - 1];
    if (previous && migration.version <= previous.version) {
      throw new MigrationError(
        `migration ${migration.version} "${migration.name}" comes after ${previous.version} "${previous.name}"; ` +
          'versions must be unique and listed in ascending order',
      );
    }
  });
  const appliedByVersion = new Map(applied.map((m) => [m.version, m.name]));
  for (const migration of known) {
    const recordedName = appliedByVersion.get(migration.version);
    if (recordedName !== undefined && recordedName !== migration.name) {
      throw new MigrationError(
        `database records migration ${migration.version} as "${recordedName}" but this code calls it "${migration.name}"`,
      );
    }
  }
  return known.filter((migration) => !appliedByVersion.has(migration.version));
}

/**
 * Brings the schema up to date, each migration in its own transaction. Every transaction first takes
 * the migration advisory lock and re-reads the history, so replicas starting together against one
 * PostgreSQL wait for each other and apply each migration exactly once. Versions recorded by newer code
 * than this are left alone: during a rolling upgrade old replicas keep running on the newer schema.
 */
export async function runMigrations(
  store: Store,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  pendingMigrations(migrations, []);
  await store.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const report: MigrationReport = { applied: [] };
  for (const migration of pendingMigrations(migrations, await appliedMigrations(store))) {
    const appliedNow = await store.transaction(async (tx) => {
      await lockMigrations(tx);
      if (pendingMigrations([migration], await appliedMigrations(tx)).length === 0) return false;
      for (const statement of migration.statements) {
        await runStatement(tx, migration, statement);
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (appliedNow) report.applied.push({ version: migration.version, name: migration.name });
  }
  return report;
}

export async function appliedMigrations(db: Queryable): Promise<AppliedMigration[]> {
  return db.query<AppliedMigration>('SELECT version, name FROM schema_migrations ORDER BY version');
}

async function lockMigrations(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [
    ADVISORY_LOCK_NAMESPACE,
    AdvisoryLock.migrations,
  ]);
}

async function runStatement(tx: Queryable, migration: Migration, statement: string): Promise<void> {
  try {
    await tx.query(statement);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MigrationError(
      `migration ${migration.version} "${migration.name}" failed: ${reason}\nstatement: ${statement.trim()}`,
      { cause: err },
    );
  }
}
