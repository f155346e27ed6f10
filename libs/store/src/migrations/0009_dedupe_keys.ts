import type { Migration } from './migration';

/**
 * `evaluator_dedupe_keys`: when each trigger's dedupe key opened its current window. A dedupe window
 * runs from the first time a key was seen, not from a fixed boundary, so a sender's retry ten seconds
 * later is a duplicate whatever the clock says (fixed windows split such a retry at every boundary,
 * midnight UTC for the 24 h default). The key is stored as its SHA-256: keys are user data of any
 * length, and a btree entry must stay small.
 */
export const dedupeKeysMigration: Migration = {
  version: 9,
  name: 'dedupe_keys',
  statements: [
    `CREATE TABLE evaluator_dedupe_keys (
      trigger_id text NOT NULL,
      key_hash text NOT NULL,
      first_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (trigger_id, key_hash)
    )`,
    `CREATE INDEX evaluator_dedupe_keys_expires_idx ON evaluator_dedupe_keys (expires_at)`,
  ],
};
