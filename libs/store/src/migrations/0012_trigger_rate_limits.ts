import type { Migration } from './migration';

/**
 * Rate limits that hold across restarts and replicas: the runs each trigger and key started (or
 * reserved for later) within the period, and the run requests delayed into a later slot until it
 * comes. A slot is keyed by its run id, so a replayed event finds the decision made the first time.
 */
export const triggerRateLimitsMigration: Migration = {
  version: 12,
  name: 'trigger_rate_limits',
  statements: [
    // One row per trigger and key: locked while a decision is made, so replicas take turns.
    `CREATE TABLE evaluator_rate_limits (
      trigger_id text NOT NULL,
      key_hash text NOT NULL,
      PRIMARY KEY (trigger_id, key_hash)
    )`,
    `CREATE TABLE evaluator_rate_limit_slots (
      trigger_id text NOT NULL,
      run_id text NOT NULL,
      key_hash text NOT NULL,
      slot_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (trigger_id, run_id)
    )`,
    `CREATE INDEX evaluator_rate_limit_slots_key_idx
      ON evaluator_rate_limit_slots (trigger_id, key_hash, slot_at)`,
    `CREATE INDEX evaluator_rate_limit_slots_expires_idx ON evaluator_rate_limit_slots (expires_at)`,
    // Delayed run requests belong to the partition of the event that caused them, like batches.
    `CREATE TABLE evaluator_delayed_runs (
      run_id text PRIMARY KEY,
      trigger_id text NOT NULL,
      kafka_partition integer NOT NULL,
      due_at timestamptz NOT NULL,
      request text NOT NULL
    )`,
    `CREATE INDEX evaluator_delayed_runs_partition_idx ON evaluator_delayed_runs (kafka_partition)`,
  ],
};
