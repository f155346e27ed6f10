import type { Migration } from './migration';

/**
 * What the history API reads besides the runs: per-trigger counts of the evaluator's decisions, one
 * row per trigger and minute (written by the evaluator's activity recorder, summed across replicas),
 * and the last events of each source, pruned to a fixed number per source. Both are bounded: counts by
 * a retention period, events by that number. Events are kept as a bounded excerpt in text, never
 * jsonb, for the same reason as the evaluator's batches (U+0000 in a JSON event).
 *
 * Run history is paged newest first by (created_at, claim_seq), overall and per owner.
 */
export const activityMigration: Migration = {
  version: 7,
  name: 'activity',
  statements: [
    `CREATE TABLE trigger_activity (
      trigger_id text NOT NULL,
      minute timestamptz NOT NULL,
      received bigint NOT NULL DEFAULT 0,
      matched bigint NOT NULL DEFAULT 0,
      dropped bigint NOT NULL DEFAULT 0,
      duplicate bigint NOT NULL DEFAULT 0,
      errors bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (trigger_id, minute)
    )`,
    `CREATE INDEX trigger_activity_minute_idx ON trigger_activity (minute)`,
    `CREATE TABLE source_recent_events (
      source_id text NOT NULL,
      event_id text NOT NULL,
      seq bigserial NOT NULL,
      type text NOT NULL,
      event_time timestamptz NOT NULL,
      accepted_at timestamptz NOT NULL,
      provider text NOT NULL,
      subject text,
      trace_id text,
      data_excerpt text,
      data_truncated boolean NOT NULL DEFAULT false,
      PRIMARY KEY (source_id, event_id)
    )`,
    `CREATE INDEX source_recent_events_seq_idx ON source_recent_events (source_id, seq)`,
    `CREATE INDEX runs_created_idx ON runs (created_at, claim_seq)`,
    `CREATE INDEX runs_owner_created_idx ON runs (owner, created_at, claim_seq)`,
    `CREATE INDEX runs_trigger_started_idx ON runs (trigger_id, started_at)`,
    `CREATE INDEX runs_trigger_finished_idx ON runs (trigger_id, finished_at) WHERE status = 'FAILED'`,
  ],
};
