import { Pool } from 'pg';
import type { Queryable, Store } from './store';
import { transactionHandle } from './transaction-handle';

export interface PostgresStoreOptions {
  url: string;
  poolMax: number;
  /** How long to wait for a connection before failing the query. */
  connectTimeoutMs?: number;
}

/** PostgreSQL through a connection pool; a transaction holds one pooled connection from BEGIN to COMMIT. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle connection that breaks (server restart, network) must not crash the process; the next
    // query gets a fresh connection or fails with the reason, which is where callers handle it.
    this.pool.on('error', () => undefined);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const result = await this.pool.query(sql, params as unknown[] | undefined);
    return result.rows as T[];
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const handle = transactionHandle(
      async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows,
    );
    let broken = false;
    // A connection that breaks while checked out emits 'error', which would crash the process with no
    // listener (the pool listens only to idle clients). The pending query rejects by itself; the
    // broken client is discarded instead of going back to the pool.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(handle.tx).finally(handle.finish);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // A connection that cannot even roll back is discarded instead of going back to the pool.
        broken = true;
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
