import { errorText, jsonStderrLog, type Log, WakeLoop } from '@flint/common';
import { ADVISORY_LOCK_NAMESPACE, AdvisoryLock } from '../advisory-locks';
import type { OutboxRecord } from './enqueue';
import type { Store } from '../store';

/** Resolves only once the broker has acknowledged every record; throws otherwise. */
export type PublishOutbox = (records: OutboxRecord[]) => Promise<void>;

export interface OutboxRelayOptions {
  /** Most records published per relay. */
  batchSize?: number;
  /** How often the outbox is checked when nobody calls notify(). */
  intervalMs?: number;
  /** Published records older than this are deleted. */
  retentionMs?: number;
  pruneIntervalMs?: number;
  /** Where relay failures are reported (they are retried, so as warnings). */
  log?: Log;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: unknown;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * Publishes committed outbox records in id order and marks them published in the same transaction,
 * after `publish` resolved. If publishing fails nothing is marked and the same records go out on the
 * next relay, so delivery is at-least-once; consumers of the compacted triggers topic tolerate repeats
 * because every value carries its version.
 *
 * Only one relay runs at a time across all replicas (a transaction-scoped advisory lock; a replica that
 * does not get it skips its turn). Row locks with SKIP LOCKED would let a second replica publish a
 * later batch while the first is still publishing an earlier one, and a key changed in both batches
 * would then reach Kafka out of order.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private readonly loop: WakeLoop;
  private lastPruneAt = 0;

  constructor(
    private readonly store: Store,
    private readonly publish: PublishOutbox,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = positive('batchSize', options.batchSize ?? 100);
    if (!Number.isInteger(this.batchSize)) {
      throw new RangeError(
        `OutboxRelay option batchSize must be a whole number, got ${this.batchSize}`,
      );
    }
    this.intervalMs = positive('intervalMs', options.intervalMs ?? 1000);
    this.retentionMs = positive('retentionMs', options.retentionMs ?? 7 * 24 * 3600 * 1000);
    this.pruneIntervalMs = positive('pruneIntervalMs', options.pruneIntervalMs ?? 3600 * 1000);
    const log = options.log ?? jsonStderrLog;
    this.loop = new WakeLoop(() => this.relayAndPrune(), {
      intervalMs: this.intervalMs,
      onError: (err) =>
        log('warn', `outbox relay failed, retrying in ${this.intervalMs} ms: ${errorText(err)}`),
    });
  }

  /**
   * Publishes the oldest unpublished records, at most one batch. Returns how many were published: 0
   * when there were none or another replica is relaying right now.
   */
  async relayOnce(): Promise<number> {
    return this.store.transaction(async (tx) => {
      // The lock in its own statement, before the read: in READ COMMITTED a statement reads the
      // snapshot taken when it began, so a read in the lock's statement could begin before the
      // previous holder committed, get the lock once it had, and publish the rows that holder had
      // just marked published (seen in CI: 310 records published for 300).
      const [lock] = await tx.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS locked',
        [ADVISORY_LOCK_NAMESPACE, AdvisoryLock.outboxRelay],
      );
      if (!lock?.locked) return 0;
      // Ordered by the bigint column, not by the text alias (where "10" sorts before "2").
      const rows = await tx.query<OutboxRow>(
        `SELECT id::text AS id, topic, key, value, headers, created_at FROM outbox
          WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      await this.publish(rows.map(toRecord));
      await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  /** Relays batch after batch until nothing is left; returns how many records were published. */
  async relayAll(): Promise<number> {
    let total = 0;
    for (
      let published = await this.relayOnce();
      published > 0;
      published = await this.relayOnce()
    ) {
      total += published;
    }
    return total;
  }

  /** Deletes published records older than the retention; returns how many. */
  async pruneOnce(): Promise<number> {
    const [deleted] = await this.store.query<{ count: number }>(
      `WITH deleted AS (
         DELETE FROM outbox
          WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)
          RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [this.retentionMs / 1000],
    );
    return deleted?.count ?? 0;
  }

  /** Relays every intervalMs and whenever notify() is called, until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Asks for a relay now, e.g. right after a change was committed, instead of at the next interval. */
  notify(): void {
    this.loop.wake();
  }

  /** Stops the loop and waits for a relay in progress to finish. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async relayAndPrune(): Promise<void> {
    let published: number;
    do {
      published = await this.relayOnce();
    } while (this.loop.running && published === this.batchSize);
    if (Date.now() - this.lastPruneAt >= this.pruneIntervalMs) {
      this.lastPruneAt = Date.now();
      await this.pruneOnce();
    }
  }
}

function toRecord(row: OutboxRow): OutboxRecord {
  return {
    id: row.id,
    topic: row.topic,
    key: row.key,
    value: row.value,
    headers: row.headers,
    createdAt: row.created_at,
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`OutboxRelay option ${name} must be a positive number, got ${value}`);
  }
  return value;
}
