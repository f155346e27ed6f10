import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock';
import { SerialQueue } from './serial-queue';
import type { Queryable, Store } from './store';
import { transactionHandle } from './transaction-handle';

export interface PgliteStoreOptions {
  /** Folder of the database files; leave it out for a throw-away in-memory database. */
  dataDir?: string;
}

/**
 * PostgreSQL's default shared_buffers (128 MB) is sized for a server; inside one laptop process it is
 * memory the local stack holds whether it uses it or not (PGlite's memory only grows). A local
 * stack's tables fit in far less, and the operating system caches the files anyway.
 */
const PGLITE_SETTINGS = { postgresqlconf: ['shared_buffers = 16MB'] };

/**
 * The embedded database. PGlite has exactly one connection, so two callers' transactions would
 * interleave on it (one's COMMIT committing the other's half-done work). Every query and every
 * transaction therefore goes through one queue: a transaction owns the connection from BEGIN to
 * COMMIT and nothing else runs meanwhile.
 */
export class PgliteStore implements Store {
  readonly kind = 'pglite';
  private readonly queue = new SerialQueue();
  /** Marks the async context of a running transaction callback, to catch calls that would deadlock. */
  private readonly transactionContext = new AsyncLocalStorage<{ open: boolean }>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: PGlite,
    private readonly lock: DataDirLock | undefined,
  ) {}

  static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    if (options.dataDir === undefined) {
      return new PgliteStore(await PGlite.create(PGLITE_SETTINGS), undefined);
    }
    mkdirSync(dirname(options.dataDir), { recursive: true });
    const lock = DataDirLock.acquire(options.dataDir);
    try {
      return new PgliteStore(await PGlite.create(options.dataDir, PGLITE_SETTINGS), lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    this.assertUsable('query');
    return this.queue.run(async () => (await this.db.query<T>(sql, params as unknown[])).rows);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable('transaction');
    return this.queue.run(() =>
      this.db.transaction(async (pgliteTx) => {
        const context = { open: true };
        const handle = transactionHandle(
          async (sql, params) => (await pgliteTx.query(sql, params as unknown[])).rows,
        );
        try {
          return await this.transactionContext.run(context, () => fn(handle.tx));
        } finally {
          context.open = false;
          handle.finish();
        }
      }),
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Lets queued work finish, then closes the database and frees its folder for another process. */
  close(): Promise<void> {
    this.closing ??= this.queue
      .idle()
      .then(() => this.db.close())
      .finally(() => this.lock?.release());
    return this.closing;
  }

  private assertUsable(operation: string): void {
    if (this.closing) throw new Error(`the embedded database is closed; cannot run ${operation}`);
    if (this.transactionContext.getStore()?.open) {
      // The transaction holds the queue, so this call would wait for itself forever.
      throw new Error(
        `${operation} called on the store inside one of its transactions: use the transaction's tx handle`,
      );
    }
  }
}
