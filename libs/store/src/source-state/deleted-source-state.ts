import type { Store } from '../store';

/**
 * Tables that keep what providers know about a source, by `source_id`: cursors, announced files and
 * schedules (`provider_state`), poll records, cron slot claims, per-replica status. A live source's
 * rows are bounded by the providers themselves; a deleted source's stay behind when no provider was
 * running to forget them, and would otherwise never go.
 */
export const SOURCE_STATE_TABLES = [
  'provider_state',
  'poll_history',
  'cron_slots',
  'source_status',
] as const;

export type SourceStateTable = (typeof SOURCE_STATE_TABLES)[number];

/**
 * Deletes the provider-side rows of sources deleted before a given time (their definition rows stay,
 * with `deleted_at`, so a re-created source continues from its version). A batch at a time per table,
 * each its own short statement; rows another replica is deleting right now are skipped. A source
 * re-created before the cut-off keeps its state: only rows of sources still deleted go.
 */
export class DeletedSourceStateRepository {
  constructor(private readonly store: Store) {}

  /** Deletes at most `batchSize` rows of `table` of sources deleted before `before`; returns how many. */
  async prune(table: SourceStateTable, before: Date, batchSize: number): Promise<number> {
    if (!SOURCE_STATE_TABLES.includes(table)) throw new Error(`not a source state table: ${table}`);
    const [deleted] = await this.store.query<{ count: number }>(
      `WITH doomed AS (
         SELECT t.ctid FROM ${table} t
          WHERE EXISTS (SELECT 1 FROM sources s
                         WHERE s.id = t.source_id AND s.deleted_at < $1::timestamptz)
          LIMIT $2
          FOR UPDATE SKIP LOCKED),
       deleted AS (DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM doomed) RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [before.toISOString(), batchSize],
    );
    return deleted?.count ?? 0;
  }
}
