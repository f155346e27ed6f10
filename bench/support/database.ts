import { Client } from 'pg';

const ADMIN_URL =
  process.env.FLINT_BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database for one benchmark run, dropped at the end. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `flint_bench_${Date.now()}_${process.pid}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin(fn: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}
