import type { Queryable, Store } from '../store';

/**
 * Advisory lock namespace ("flnr" in ASCII) for concurrency keys, apart from the store's own locks:
 * admitting a run and counting the runs of its key must not interleave with another admission.
 */
const CONCURRENCY_LOCK_NAMESPACE = 0x666c6e72;

/** Admits queued runs whose concurrency slot came free. */
export class RunConcurrencyRepository {
  constructor(private readonly store: Store) {}

  /**
   * Admits queued runs wherever a concurrency slot is free: the safety net for slots freed by a runner
   * that died before it could admit the next run. Returns the admitted run ids.
   */
  async admitAllQueued(): Promise<string[]> {
    const keys = await this.store.query<{ trigger_id: string; concurrency_key: string | null }>(
      'SELECT DISTINCT trigger_id, concurrency_key FROM runs WHERE queued',
    );
    const admitted: string[] = [];
    for (const key of keys) {
      admitted.push(
        ...(await this.store.transaction(async (tx) => {
          await lockConcurrencyKey(tx, concurrencyLockKey(key.trigger_id, key.concurrency_key));
          return admitQueued(tx, key.trigger_id, key.concurrency_key);
        })),
      );
    }
    return admitted;
  }
}

/**
 * Makes the first queued runs of a key due while it has free slots, in queue-rank order (the priority
 * rule, `startRank`); the key's lock must be held.
 */
export async function admitQueued(
  tx: Queryable,
  triggerId: string,
  key: string | null,
): Promise<string[]> {
  await lockConcurrencyKey(tx, concurrencyLockKey(triggerId, key));
  const [queuedRun] = await tx.query<{ concurrency_limit: number | null }>(
    `SELECT concurrency_limit FROM runs
      WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND queued LIMIT 1`,
    [triggerId, key],
  );
  if (queuedRun === undefined) return [];
  const [active] = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM runs
      WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2
        AND status IN ('REQUESTED', 'STARTED') AND NOT queued`,
    [triggerId, key],
  );
  const free = (queuedRun.concurrency_limit ?? Number.MAX_SAFE_INTEGER) - (active?.count ?? 0);
  if (free <= 0) return [];
  const admitted = await tx.query<{ run_id: string }>(
    `UPDATE runs SET queued = false, next_attempt_at = now(), status_reason = NULL
      WHERE run_id IN (
        SELECT run_id FROM runs
         WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND queued
         ORDER BY queue_rank NULLS FIRST, claim_seq LIMIT $3
         FOR UPDATE)
      RETURNING run_id`,
    [triggerId, key, Math.min(free, 1000)],
  );
  return admitted.map((row) => row.run_id);
}

/** The lock of a trigger's concurrency key (or of the whole trigger, without a key). */
export function concurrencyLockKey(triggerId: string, key: string | null): string {
  // A trigger id is a slug without "/", so trigger and key cannot run into each other.
  return key === null ? triggerId : `${triggerId}/${key}`;
}

export async function lockConcurrencyKey(tx: Queryable, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [
    CONCURRENCY_LOCK_NAMESPACE,
    key,
  ]);
}
