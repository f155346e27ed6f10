import type { Migration } from './migration';

/**
 * Run control (issue 18 §3): runs can be CANCELLED (at once when no runner holds them, else by the
 * runner holding them once it sees `cancel_requested_at`), a re-run points at the run it repeats
 * (`rerun_of`), and `dead_letters` indexes the dead-letter topic so it can be listed, filtered,
 * re-sent and purged through the API.
 */
export const runControlMigration: Migration = {
  version: 15,
  name: 'run_control',
  statements: [
    `ALTER TABLE runs DROP CONSTRAINT runs_status_check`,
    `ALTER TABLE runs ADD CONSTRAINT runs_status_check
       CHECK (status IN ('REQUESTED', 'STARTED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'))`,
    `ALTER TABLE run_attempts DROP CONSTRAINT run_attempts_outcome_check`,
    `ALTER TABLE run_attempts ADD CONSTRAINT run_attempts_outcome_check
       CHECK (outcome IN ('succeeded', 'retry', 'failed', 'lost', 'cancelled'))`,
    `ALTER TABLE runs ADD COLUMN cancel_requested_at timestamptz`,
    `ALTER TABLE runs ADD COLUMN rerun_of text`,
    `CREATE INDEX runs_rerun_of_idx ON runs (rerun_of) WHERE rerun_of IS NOT NULL`,
    `CREATE TABLE dead_letters (
      seq bigserial PRIMARY KEY,
      dlq_partition integer NOT NULL,
      dlq_offset bigint NOT NULL,
      reason text NOT NULL,
      error text,
      source_topic text NOT NULL,
      source_partition integer,
      source_offset bigint,
      source_id text,
      origin text,
      failed_at timestamptz NOT NULL,
      message_key text,
      message_value bytea,
      message_headers jsonb NOT NULL DEFAULT '{}',
      resent_at timestamptz,
      resend_count integer NOT NULL DEFAULT 0,
      purged_at timestamptz,
      indexed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (dlq_partition, dlq_offset)
    )`,
    `CREATE INDEX dead_letters_failed_at_idx ON dead_letters (failed_at)`,
  ],
};
