import { Pool } from 'pg';

/** Connections one pool opens at most: each source runs one query at a time. */
const MAX_CONNECTIONS_PER_POOL = 4;
const IDLE_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

interface SharedPool {
  pool: Pool;
  users: number;
}

/**
 * The connection pools of SQL poll sources, one per connection string, shared by the sources that
 * use the same database and closed when the last of them stops.
 */
export class SqlPools {
  private readonly pools = new Map<string, SharedPool>();

  /** A handle for one running source; release it when the source stops. */
  lease(): SqlPoolLease {
    return new SqlPoolLease(this);
  }

  /** Pools open now, for tests and diagnostics. */
  get size(): number {
    return this.pools.size;
  }

  acquire(connectionString: string): Pool {
    let shared = this.pools.get(connectionString);
    if (!shared) {
      const pool = new Pool({
        connectionString,
        max: MAX_CONNECTIONS_PER_POOL,
        idleTimeoutMillis: IDLE_TIMEOUT_MS,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'flint-poller',
      });
      // An idle connection dropped by the server is only discarded; the next query reports trouble.
      pool.on('error', () => undefined);
      shared = { pool, users: 0 };
      this.pools.set(connectionString, shared);
    }
    shared.users += 1;
    return shared.pool;
  }

  async release(connectionString: string): Promise<void> {
    const shared = this.pools.get(connectionString);
    if (!shared) return;
    shared.users -= 1;
    if (shared.users > 0) return;
    this.pools.delete(connectionString);
    await shared.pool.end();
  }
}

/**
 * The pool one source uses now. The connection string is looked up on every poll, so a rotated
 * secret moves the source to a new pool and gives up the old one.
 */
export class SqlPoolLease {
  private current: { connectionString: string; pool: Pool } | undefined;

  constructor(private readonly pools: SqlPools) {}

  async pool(connectionString: string): Promise<Pool> {
    if (this.current?.connectionString === connectionString) return this.current.pool;
    await this.release();
    const pool = this.pools.acquire(connectionString);
    this.current = { connectionString, pool };
    return pool;
  }

  async release(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) await this.pools.release(current.connectionString);
  }
}
