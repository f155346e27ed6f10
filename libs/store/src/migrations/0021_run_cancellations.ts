import type { Migration } from './migration';

/**
 * Cancellation requests to remote workflows (issue 17 §5): when a run of an HTTP or Kafka target
 * that declares `cancel` ends CANCELLED after its start may have reached the target, the runner
 * commits one row here with the transition, and sends it from here (leased like a run, retried
 * with backoff), so a runner that dies during the cancel neither loses nor repeats it.
 */
export const runCancellationsMigration: Migration = {
  version: 21,
  name: 'run_cancellations',
  statements: [
    `CREATE TABLE run_cancellations (
      run_id text PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
      message jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      tries integer NOT NULL DEFAULT 0,
      next_try_at timestamptz NOT NULL DEFAULT now(),
      claimed_by text,
      claim_expires_at timestamptz,
      error_type text,
      error_message text,
      response_status integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
    `CREATE INDEX run_cancellations_due_idx ON run_cancellations (next_try_at)
       WHERE status = 'pending'`,
  ],
};
