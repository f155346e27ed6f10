import type { Store } from '@flint/store';
import { keyHash } from '../storable-text';

/** What a rate limit decided about one run. */
export type RateDecision =
  /** Within the limit: the run starts now. */
  | { status: 'admitted' }
  /** Over the limit, `onExceed: delay`: the run request waits in the database until `at`. */
  | { status: 'delayed'; at: Date }
  /** Over the limit, `onExceed: drop`: no run; the next one could start at `freeAt`. */
  | { status: 'limited'; freeAt: Date };

export interface RateRequest {
  triggerId: string;
  key: string;
  runId: string;
  now: Date;
  limit: number;
  periodMs: number;
  /** With `onExceed: delay`, the run request to keep until its slot, and its event's partition. */
  delay?: { request: string; partition: number };
}

/**
 * The time a run may start under a sliding-window limit: now while fewer than `limit` runs are in
 * the last `periodMs`, else when the oldest of the last `limit` leaves the window. `recent` is the
 * slot times in ascending order (reserved future slots included, which is how delayed runs queue up).
 */
export function nextSlot(
  recent: readonly number[],
  now: number,
  limit: number,
  periodMs: number,
): number {
  if (recent.length < limit) return now;
  const oldest = recent[recent.length - limit] as number;
  return Math.max(now, oldest + periodMs);
}

/**
 * Rate-limit slots and delayed run requests (tables `evaluator_rate_limit_slots`,
 * `evaluator_delayed_runs`). A decision is taken under a lock on its trigger and key, so replicas
 * agree, and recorded under the run id, so an event replayed after a crash gets the decision it got
 * the first time instead of a second slot.
 */
export class EvaluatorRateLimitRepository {
  constructor(private readonly store: Store) {}

  reserve(request: RateRequest): Promise<RateDecision> {
    const hash = keyHash(request.key);
    const now = request.now.getTime();
    return this.store.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO evaluator_rate_limits (trigger_id, key_hash) VALUES ($1, $2)
         ON CONFLICT DO NOTHING`,
        [request.triggerId, hash],
      );
      await tx.query(
        'SELECT 1 FROM evaluator_rate_limits WHERE trigger_id = $1 AND key_hash = $2 FOR UPDATE',
        [request.triggerId, hash],
      );
      // Looked up under the lock: a replica deciding the same run at once (both took up the event
      // in a rebalance) has then recorded its slot, and this one gets the same decision.
      const [known] = await tx.query<{ slot_at: Date | string }>(
        'SELECT slot_at FROM evaluator_rate_limit_slots WHERE trigger_id = $1 AND run_id = $2',
        [request.triggerId, request.runId],
      );
      if (known) return decided(new Date(known.slot_at), now);
      const rows = await tx.query<{ slot_at: Date | string }>(
        `SELECT slot_at FROM evaluator_rate_limit_slots
         WHERE trigger_id = $1 AND key_hash = $2 AND expires_at > $3::timestamptz
         ORDER BY slot_at DESC LIMIT $4`,
        [request.triggerId, hash, request.now.toISOString(), request.limit],
      );
      const recent = rows.map((row) => new Date(row.slot_at).getTime()).reverse();
      const at = nextSlot(recent, now, request.limit, request.periodMs);
      if (at > now && request.delay === undefined) {
        return { status: 'limited', freeAt: new Date(at) };
      }
      await tx.query(
        `INSERT INTO evaluator_rate_limit_slots (trigger_id, run_id, key_hash, slot_at, expires_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)`,
        [
          request.triggerId,
          request.runId,
          hash,
          new Date(at).toISOString(),
          new Date(at + request.periodMs).toISOString(),
        ],
      );
      if (at > now && request.delay !== undefined) {
        await tx.query(
          `INSERT INTO evaluator_delayed_runs (run_id, trigger_id, kafka_partition, due_at, request)
           VALUES ($1, $2, $3, $4::timestamptz, $5)`,
          [
            request.runId,
            request.triggerId,
            request.delay.partition,
            new Date(at).toISOString(),
            request.delay.request,
          ],
        );
      }
      return decided(new Date(at), now);
    });
  }

  /** Delayed run requests of these partitions, the earliest due first. */
  async delayed(partitions: readonly number[]): Promise<DelayedRun[]> {
    if (partitions.length === 0) return [];
    const rows = await this.store.query<{
      run_id: string;
      trigger_id: string;
      kafka_partition: number;
      due_at: Date | string;
      request: string;
    }>(
      `SELECT run_id, trigger_id, kafka_partition, due_at, request FROM evaluator_delayed_runs
       WHERE kafka_partition = ANY($1::int[]) ORDER BY due_at, run_id`,
      [partitions],
    );
    return rows.map((row) => ({
      runId: row.run_id,
      triggerId: row.trigger_id,
      partition: row.kafka_partition,
      dueAt: new Date(row.due_at),
      request: row.request,
    }));
  }

  /** The delayed run's request is in Kafka. */
  async sent(runId: string): Promise<void> {
    await this.store.query('DELETE FROM evaluator_delayed_runs WHERE run_id = $1', [runId]);
  }

  /** Forgets slots that left their window; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const rows = await this.store.query(
      'DELETE FROM evaluator_rate_limit_slots WHERE expires_at <= $1::timestamptz RETURNING run_id',
      [now.toISOString()],
    );
    return rows.length;
  }
}

export interface DelayedRun {
  runId: string;
  triggerId: string;
  partition: number;
  dueAt: Date;
  /** The encoded run request (its JSON value), sent as it was decided. */
  request: string;
}

function decided(at: Date, now: number): RateDecision {
  return at.getTime() > now ? { status: 'delayed', at } : { status: 'admitted' };
}
