import { Client } from 'pg';

/**
 * Each test run gets a fresh PostgreSQL database, created by jest's globalSetup and handed to the
 * workers through DATABASE_URL (workers inherit the environment). Without a reachable server the PG
 * tests are skipped on a laptop, but CI fails: the project's machines always have PostgreSQL.
 */
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
/** Name of this run's database, in the environment so globalTeardown finds it. */
const TEST_DATABASE_ENV = 'FLINT_TEST_DATABASE_NAME';
const STALE_AFTER_MS = 24 * 3600 * 1000;

export function adminUrl(): string {
  return process.env.FLINT_TEST_PG_ADMIN_URL || DEFAULT_ADMIN_URL;
}

export async function createTestDatabase(): Promise<void> {
  // Only the fresh database is ever used: a DATABASE_URL from the shell must not receive test data.
  delete process.env.DATABASE_URL;
  let admin: Client;
  try {
    admin = await connectAdmin();
  } catch (err) {
    const reason = `PostgreSQL is not reachable at ${redacted(adminUrl())}: ${errorText(err)}`;
    if (process.env.CI) {
      throw new Error(
        `${reason}. CI requires it; set FLINT_TEST_PG_ADMIN_URL if it runs elsewhere.`,
        { cause: err },
      );
    }
    console.warn(
      `\n${'!'.repeat(100)}\n!! ${reason}\n!! PostgreSQL tests are SKIPPED; only the embedded PGlite path is tested.\n${'!'.repeat(100)}\n`,
    );
    return;
  }
  try {
    await dropStaleTestDatabases(admin);
    const name = `flint_test_${Date.now()}_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name}`);
    process.env[TEST_DATABASE_ENV] = name;
    process.env.DATABASE_URL = databaseUrl(name);
  } finally {
    await admin.end();
  }
}

export async function dropTestDatabase(): Promise<void> {
  const name = process.env[TEST_DATABASE_ENV];
  if (!name) return;
  await dropDatabase(name);
  delete process.env[TEST_DATABASE_ENV];
  delete process.env.DATABASE_URL;
}

/** This run's database; throws when PostgreSQL is unavailable (wrap such tests in describeIfPostgres). */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'no test PostgreSQL database: PostgreSQL is unreachable, use describeIfPostgres',
    );
  }
  return url;
}

export function postgresAvailable(): boolean {
  return Boolean(process.env.DATABASE_URL);
}

/** `describe` when this run has a PostgreSQL database, `describe.skip` otherwise. */
export function describeIfPostgres(name: string, fn: () => void): void {
  (postgresAvailable() ? describe : describe.skip)(name, fn);
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Terminates its connections and drops it. */
  drop(): Promise<void>;
}

/** An empty database of its own, for tests that must start from nothing (e.g. migrations from zero). */
export async function createScratchDatabase(name?: string): Promise<ScratchDatabase> {
  const runName = process.env[TEST_DATABASE_ENV] ?? `flint_test_${Date.now()}_${process.pid}`;
  const random = Math.random().toString(36).slice(2, 10);
  const fullName = `${runName}_${name ?? 'scratch'}_${random}`.toLowerCase();
  if (!/^[a-z0-9_]{1,63}$/.test(fullName)) {
    throw new Error(
      `scratch database name "${fullName}" must be at most 63 letters, digits or "_"; shorten "${name}"`,
    );
  }
  const admin = await connectAdmin();
  try {
    await admin.query(`CREATE DATABASE ${fullName}`);
  } finally {
    await admin.end();
  }
  return { name: fullName, url: databaseUrl(fullName), drop: () => dropDatabase(fullName) };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = await connectAdmin();
  try {
    // FORCE terminates the database's open connections first (pools the tests forgot to close).
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Databases left behind by runs that crashed before their teardown; a day old is surely abandoned. */
async function dropStaleTestDatabases(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ '^flint_test_[0-9]+_'",
  );
  for (const { datname } of rows) {
    const createdAt = Number(/^flint_test_(\d+)_/.exec(datname)?.[1]);
    if (Date.now() - createdAt > STALE_AFTER_MS) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  }
}

async function connectAdmin(): Promise<Client> {
  const client = new Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

function redacted(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(errorText).join('; ');
  return err instanceof Error ? err.message || err.name : String(err);
}
