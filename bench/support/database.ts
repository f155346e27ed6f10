import { Client } from 'pg';
import type { Store } from '@flint/store';
import { cpuMilliseconds } from './proc';

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

/**
 * CPU milliseconds so far of each PostgreSQL server process (backend) serving `store`'s database, by
 * pid, from pg_stat_activity and `/proc/<pid>/stat` (so only for a server on this machine).
 */
export async function backendsCpu(store: Store): Promise<Map<number, number>> {
  const rows = await store.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    // A backend may end between the query and the read: it is left out.
    const ms = await cpuMilliseconds(Number(pid)).catch(() => undefined);
    if (ms !== undefined) cpu.set(Number(pid), ms);
  }
  return cpu;
}

/** CPU ms spent between two readings of `backendsCpu`; a backend new in `after` counts in full. */
export function backendsCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}
