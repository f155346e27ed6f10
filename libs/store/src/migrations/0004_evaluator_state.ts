import type { Migration } from './migration';

/**
 * What the evaluator must not forget across restarts: open batches (so no batched event is lost when
 * the process dies) and partial compound matches (so a restart does not forget half of one).
 *
 * Events are stored as JSON text, not jsonb: jsonb rejects the character U+0000, which a JSON event
 * may carry, and one such event must not be able to stall a partition. Batch and correlation keys
 * are stored as their SHA-256, which bounds index entries whatever the key.
 */
export const evaluatorStateMigration: Migration = {
  version: 4,
  name: 'evaluator_state',
  statements: [
    // One open batch per trigger, batch key and partition of the events topic: a partition has one
    // owner at a time, so its batches do too, and a rebalance hands them over with the partition.
    `CREATE TABLE evaluator_batches (
      id uuid PRIMARY KEY,
      trigger_id text NOT NULL,
      batch_key_hash text NOT NULL,
      kafka_partition integer NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'closed', 'emitted')),
      size integer NOT NULL DEFAULT 0,
      opened_at timestamptz NOT NULL,
      deadline_at timestamptz,
      closed_at timestamptz,
      emitted_at timestamptz,
      keep_until timestamptz
    )`,
    `CREATE UNIQUE INDEX evaluator_batches_open_idx
      ON evaluator_batches (trigger_id, batch_key_hash, kafka_partition) WHERE status = 'open'`,
    `CREATE INDEX evaluator_batches_pending_idx
      ON evaluator_batches (kafka_partition) WHERE status <> 'emitted'`,
    `CREATE INDEX evaluator_batches_keep_until_idx
      ON evaluator_batches (keep_until) WHERE status = 'emitted'`,
    // The primary key puts an event in at most one batch of a trigger, so a replayed event is known.
    `CREATE TABLE evaluator_batch_events (
      trigger_id text NOT NULL,
      event_id text NOT NULL,
      batch_id uuid NOT NULL REFERENCES evaluator_batches (id) ON DELETE CASCADE,
      seq bigserial NOT NULL,
      event text,
      PRIMARY KEY (trigger_id, event_id)
    )`,
    `CREATE INDEX evaluator_batch_events_batch_idx ON evaluator_batch_events (batch_id, seq)`,

    `CREATE TABLE evaluator_compound_matches (
      id uuid PRIMARY KEY,
      trigger_id text NOT NULL,
      correlation_key_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'fired', 'failed')),
      started_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      -- Member (source id or event type) → its event as JSON text.
      members jsonb NOT NULL DEFAULT '{}',
      run_request text,
      finished_at timestamptz,
      keep_until timestamptz
    )`,
    `CREATE UNIQUE INDEX evaluator_compound_open_idx
      ON evaluator_compound_matches (trigger_id, correlation_key_hash) WHERE status = 'open'`,
    `CREATE INDEX evaluator_compound_expires_idx
      ON evaluator_compound_matches (expires_at) WHERE status = 'open'`,
    `CREATE INDEX evaluator_compound_keep_until_idx
      ON evaluator_compound_matches (keep_until) WHERE status <> 'open'`,
    `CREATE TABLE evaluator_compound_events (
      trigger_id text NOT NULL,
      event_id text NOT NULL,
      match_id uuid NOT NULL REFERENCES evaluator_compound_matches (id) ON DELETE CASCADE,
      PRIMARY KEY (trigger_id, event_id)
    )`,
    `CREATE INDEX evaluator_compound_events_match_idx ON evaluator_compound_events (match_id)`,
  ],
};
