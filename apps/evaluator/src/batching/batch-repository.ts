import { randomUUID } from 'node:crypto';
import type { Queryable, Store } from '@flint/store';
import { jsonText, keyHash, parseJsonText, storableText } from '../storable-text';

/** A batch that has not been emitted yet: still collecting (`open`) or frozen for emission (`closed`). */
export interface PendingBatch {
  id: string;
  triggerId: string;
  /** SHA-256 of the batch key (`keyHash`). */
  keyHash: string;
  partition: number;
  status: 'open' | 'closed';
  size: number;
  openedAt: Date;
  /** When the batch times out; null when only its size closes it. */
  deadlineAt: Date | null;
}

/** One event of a batch, as it was added. */
export interface BatchMember {
  /** The event as JSON (see eventJson in @flint/conditions). */
  event: unknown;
}

/** A batch frozen for emission. */
export interface ClosedBatch {
  id: string;
  triggerId: string;
  members: BatchMember[];
}

export interface NewBatchMember {
  triggerId: string;
  batchKey: string;
  partition: number;
  eventId: string;
  event: unknown;
  /** Used when this event opens a new batch. */
  openedAt: Date;
  deadlineAt: Date | null;
  /** The batch closes when it reaches this many events, so the next event opens a new one. */
  maxSize?: number;
  /**
   * A debounce: each event moves the deadline of its open batch to this time (quiet until then),
   * but never past `maxWaitMs` after the batch opened.
   */
  quietUntil?: Date;
  maxWaitMs?: number;
}

export type BatchAddResult =
  | { status: 'added'; batch: PendingBatch }
  /** The event is already in a batch of this trigger (open, closed or emitted): a replay. */
  | { status: 'duplicate' };

interface BatchRow {
  id: string;
  trigger_id: string;
  batch_key_hash: string;
  kafka_partition: number;
  status: 'open' | 'closed';
  size: number;
  opened_at: Date | string;
  deadline_at: Date | string | null;
}

const BATCH_COLUMNS =
  'id, trigger_id, batch_key_hash, kafka_partition, status, size, opened_at, deadline_at';

/**
 * The evaluator's open batches, persisted so that no batched event is lost when the process dies:
 * an event's offset is committed only after it is stored here, and a batch leaves only once its run
 * request is in Kafka. Emitted batches keep their members' ids until `keepUntil`, so an event replayed
 * after its batch was emitted is recognised instead of starting a second batch.
 */
export class EvaluatorBatchRepository {
  constructor(private readonly store: Store) {}

  /**
   * Adds the event to the open batch of its trigger, key and partition, opening one if needed. A batch
   * that reaches `maxSize` comes back `closed`: it is full and waits to be emitted.
   */
  async add(member: NewBatchMember): Promise<BatchAddResult> {
    const eventId = storableText(member.eventId);
    try {
      return await this.store.transaction(async (tx) => {
        // A replay is usually told apart here, without taking any batch's lock.
        const known = await tx.query(
          'SELECT 1 FROM evaluator_batch_events WHERE trigger_id = $1 AND event_id = $2',
          [member.triggerId, eventId],
        );
        if (known.length > 0) return { status: 'duplicate' };
        const batchId = await lockOpenBatch(tx, member);
        // Another replica adding the same event at once (a rebalance) saw it unknown too; the one
        // that comes second, after the batch's lock, finds it here.
        const joined = await tx.query(
          `INSERT INTO evaluator_batch_events (trigger_id, event_id, batch_id, event)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (trigger_id, event_id) DO NOTHING RETURNING batch_id`,
          [member.triggerId, eventId, batchId, jsonText(member.event)],
        );
        if (joined.length === 0) throw new AlreadyBatched();
        // LEAST ignores NULLs: without maxWait a debounce waits for quiet alone, and without
        // quietUntil (a batch) the deadline stays as it was opened.
        const [row] = await tx.query<BatchRow>(
          `UPDATE evaluator_batches
           SET size = size + 1,
               status = CASE WHEN size + 1 >= $2::int THEN 'closed' ELSE status END,
               closed_at = CASE WHEN size + 1 >= $2::int THEN now() ELSE closed_at END,
               deadline_at = CASE WHEN $3::timestamptz IS NULL THEN deadline_at
                 ELSE LEAST($3::timestamptz, opened_at + make_interval(secs => $4::double precision / 1000))
               END
           WHERE id = $1 RETURNING ${BATCH_COLUMNS}`,
          [
            batchId,
            member.maxSize ?? null,
            member.quietUntil?.toISOString() ?? null,
            member.maxWaitMs ?? null,
          ],
        );
        return { status: 'added', batch: pendingBatch(row as BatchRow) };
      });
    } catch (err) {
      // Rolled back, with any batch this add opened for the event.
      if (err instanceof AlreadyBatched) return { status: 'duplicate' };
      throw err;
    }
  }

  /**
   * Freezes the batch for emission and returns its members in the order they came; undefined when it
   * was emitted or discarded meanwhile. Closing twice returns the same members both times, so whoever
   * emits a closed batch (again, after a crash) sends the same run request.
   */
  close(batchId: string): Promise<ClosedBatch | undefined> {
    return this.store.transaction(async (tx) => {
      const [closed] = await tx.query<{ trigger_id: string }>(
        `UPDATE evaluator_batches SET status = 'closed', closed_at = coalesce(closed_at, now())
         WHERE id = $1 AND status IN ('open', 'closed') RETURNING trigger_id`,
        [batchId],
      );
      if (!closed) return undefined;
      return { id: batchId, triggerId: closed.trigger_id, members: await membersOf(tx, batchId) };
    });
  }

  /** The batch's run request is in Kafka; its member ids stay until `keepUntil` to catch replays. */
  async markEmitted(batchId: string, keepUntil: Date): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.query(
        `UPDATE evaluator_batches SET status = 'emitted', emitted_at = now(), keep_until = $2::timestamptz
         WHERE id = $1`,
        [batchId, keepUntil.toISOString()],
      );
      // The payloads are not needed to recognise a replay; only the ids are.
      await tx.query('UPDATE evaluator_batch_events SET event = NULL WHERE batch_id = $1', [
        batchId,
      ]);
    });
  }

  /**
   * Ends the open batches of a trigger and key without a run (an absence trigger's expected event
   * came), keeping their members' ids until `keepUntil` like emitted ones. Returns their ids.
   */
  satisfy(triggerId: string, batchKey: string, keepUntil: Date): Promise<string[]> {
    return this.store.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `UPDATE evaluator_batches SET status = 'emitted', emitted_at = now(), keep_until = $3::timestamptz
         WHERE trigger_id = $1 AND batch_key_hash = $2 AND status = 'open' RETURNING id`,
        [triggerId, keyHash(batchKey), keepUntil.toISOString()],
      );
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) {
        await tx.query(
          'UPDATE evaluator_batch_events SET event = NULL WHERE batch_id = ANY($1::uuid[])',
          [ids],
        );
      }
      return ids;
    });
  }

  /** Forgets a batch whose trigger is gone, with its members. */
  async discard(batchId: string): Promise<void> {
    await this.store.query('DELETE FROM evaluator_batches WHERE id = $1', [batchId]);
  }

  /** Open and closed batches of these partitions of the events topic, oldest first. */
  async pending(partitions: readonly number[]): Promise<PendingBatch[]> {
    if (partitions.length === 0) return [];
    const rows = await this.store.query<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM evaluator_batches
       WHERE status <> 'emitted' AND kafka_partition = ANY($1::int[])
       ORDER BY opened_at, id`,
      [partitions],
    );
    return rows.map(pendingBatch);
  }

  /** Removes emitted batches kept past their `keepUntil`; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const rows = await this.store.query(
      `DELETE FROM evaluator_batches WHERE status = 'emitted' AND keep_until < $1::timestamptz
       RETURNING id`,
      [now.toISOString()],
    );
    return rows.length;
  }
}

/** An add found its event already in a batch only once it held a batch's lock. */
class AlreadyBatched extends Error {}

/**
 * Locks the open batch of the member's trigger, key and partition, opening one if there is none;
 * returns its id. The batch the insert meets can close before the lock is taken (its deadline
 * passed, or another add filled it): the locking read then skips it, and the next insert, with a
 * new snapshot, opens the next batch.
 */
async function lockOpenBatch(tx: Queryable, member: NewBatchMember): Promise<string> {
  const batchKey = keyHash(member.batchKey);
  for (let attempt = 0; attempt < 3; attempt++) {
    await tx.query(
      `INSERT INTO evaluator_batches
         (id, trigger_id, batch_key_hash, kafka_partition, status, size, opened_at, deadline_at)
       VALUES ($1, $2, $3, $4, 'open', 0, $5::timestamptz, $6::timestamptz)
       ON CONFLICT (trigger_id, batch_key_hash, kafka_partition) WHERE status = 'open' DO NOTHING`,
      [
        randomUUID(),
        member.triggerId,
        batchKey,
        member.partition,
        member.openedAt.toISOString(),
        member.deadlineAt?.toISOString() ?? null,
      ],
    );
    const [open] = await tx.query<{ id: string }>(
      `SELECT id FROM evaluator_batches
       WHERE trigger_id = $1 AND batch_key_hash = $2 AND kafka_partition = $3 AND status = 'open'
       FOR UPDATE`,
      [member.triggerId, batchKey, member.partition],
    );
    if (open) return open.id;
  }
  throw new Error(`trigger ${member.triggerId}: its open batch closed three times before an add`);
}

async function membersOf(tx: Queryable, batchId: string): Promise<BatchMember[]> {
  const rows = await tx.query<{ event: string | null }>(
    'SELECT event FROM evaluator_batch_events WHERE batch_id = $1 ORDER BY seq',
    [batchId],
  );
  return rows.map((row) => ({ event: parseJsonText(row.event) }));
}

function pendingBatch(row: BatchRow): PendingBatch {
  return {
    id: row.id,
    triggerId: row.trigger_id,
    keyHash: row.batch_key_hash,
    partition: row.kafka_partition,
    status: row.status,
    size: row.size,
    openedAt: new Date(row.opened_at),
    deadlineAt: row.deadline_at === null ? null : new Date(row.deadline_at),
  };
}
