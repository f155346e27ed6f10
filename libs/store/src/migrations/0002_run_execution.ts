import type { Migration } from './migration';

/**
 * What the runner needs beyond the run history of 0001: the request itself (so any replica can carry
 * out or recover a run from the database alone), the Kafka position it came from (for the dead-letter
 * record), the concurrency limit a queued run waits for, the lines a local workflow logged, and one
 * row per attempt with its outcome and the target's response.
 */
export const runExecutionMigration: Migration = {
  version: 2,
  name: 'run-execution',
  statements: [
    `ALTER TABLE runs
      ADD COLUMN request jsonb,
      ADD COLUMN provider text,
      ADD COLUMN accepted_at timestamptz,
      ADD COLUMN target_type text,
      ADD COLUMN workflow text,
      ADD COLUMN timeout_ms integer,
      ADD COLUMN max_attempts integer,
      ADD COLUMN concurrency_limit integer CHECK (concurrency_limit >= 1),
      ADD COLUMN queued boolean NOT NULL DEFAULT false,
      ADD COLUMN status_reason text,
      ADD COLUMN log_lines jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN source_topic text,
      ADD COLUMN source_partition integer,
      ADD COLUMN source_offset text,
      -- Claim order: runs claimed in one transaction share created_at, and queues are first come first served.
      ADD COLUMN claim_seq bigint GENERATED ALWAYS AS IDENTITY`,
    // The scheduler's two questions: which unleased runs are due, and whose lease has expired.
    `CREATE INDEX runs_due_idx ON runs (next_attempt_at)
      WHERE status = 'REQUESTED' AND claimed_by IS NULL AND NOT queued`,
    `CREATE INDEX runs_claim_expiry_idx ON runs (claim_expires_at) WHERE claimed_by IS NOT NULL`,
    `CREATE INDEX runs_queued_idx ON runs (trigger_id, concurrency_key, claim_seq) WHERE queued`,
    `CREATE INDEX runs_status_created_idx ON runs (status, created_at)`,

    `CREATE TABLE run_attempts (
      run_id text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
      attempt integer NOT NULL CHECK (attempt >= 1),
      runner text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      outcome text CHECK (outcome IN ('succeeded', 'retry', 'failed', 'lost')),
      error_type text,
      error_message text,
      response_status integer,
      response_excerpt text,
      PRIMARY KEY (run_id, attempt)
    )`,
  ],
};
