import type { Store } from '../store';

/** Tables whose size the store reports (`flint_store_table_bytes`): the ones that grow with traffic. */
export const GROWING_TABLES = [
  'runs',
  'run_attempts',
  'outbox',
  'trigger_activity',
  'source_activity',
  'source_recent_events',
  'provider_state',
  'poll_history',
  'evaluator_batch_events',
  'evaluator_dedupe_keys',
  'cron_slots',
  'event_archive',
  'dead_letters',
] as const;

export interface TableSize {
  table: string;
  /** Heap, indexes and TOAST. */
  bytes: number;
  /** The planner's estimate, kept by autovacuum; cheap to read. */
  rows: number;
}

/**
 * Deletes finished runs past their retention, with their attempts (the foreign key cascades).
 * A batch at a time, each batch its own short transaction, so pruning never holds locks for long;
 * rows another replica is deleting right now are skipped.
 */
export class RunRetentionRepository {
  constructor(private readonly store: Store) {}

  /** Deletes at most `batchSize` runs that finished before `before`; returns how many. */
  async pruneFinished(before: Date, batchSize: number): Promise<number> {
    const [deleted] = await this.store.query<{ count: number }>(
      `WITH doomed AS (
         SELECT run_id FROM runs
          WHERE status IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED') AND finished_at < $1::timestamptz
          LIMIT $2
          FOR UPDATE SKIP LOCKED),
       deleted AS (DELETE FROM runs WHERE run_id IN (SELECT run_id FROM doomed) RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [before.toISOString(), batchSize],
    );
    return deleted?.count ?? 0;
  }

  /** The size of each growing table, for the dashboard. */
  async tableSizes(): Promise<TableSize[]> {
    // A partitioned table (the event archive) holds nothing itself: its size is its partitions'.
    const rows = await this.store.query<{ table: string; bytes: string; rows: string }>(
      `SELECT c.relname AS table,
              coalesce(sum(pg_total_relation_size(part.oid)), 0)::bigint::text AS bytes,
              coalesce(sum(greatest(part.reltuples, 0)), 0)::bigint::text AS rows
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_inherits i ON i.inhparent = c.oid AND c.relkind = 'p'
         JOIN pg_class part ON part.oid = CASE WHEN c.relkind = 'p' THEN i.inhrelid ELSE c.oid END
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
          AND c.relname = ANY($1::text[])
        GROUP BY c.relname
        ORDER BY c.relname`,
      [GROWING_TABLES],
    );
    return rows.map((row) => ({
      table: row.table,
      bytes: Number(row.bytes),
      rows: Number(row.rows),
    }));
  }
}
