import type { Migration } from './migration';

/**
 * `poll_history`: the outcome of each poll of a poll function source (fired, not fired, failed),
 * its duration and error, for `GET /api/sources/{id}/history`. The poller keeps the last
 * POLL_HISTORY_LIMIT rows per source, so the table stays small however long a source runs.
 */
export const pollHistoryMigration: Migration = {
  version: 11,
  name: 'poll_history',
  statements: [
    `CREATE TABLE poll_history (
      id bigserial PRIMARY KEY,
      source_id text NOT NULL,
      polled_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('fired', 'not-fired', 'failed')),
      fired integer NOT NULL DEFAULT 0,
      skipped integer NOT NULL DEFAULT 0,
      error_type text,
      error_message text
    )`,
    `CREATE INDEX poll_history_source_idx ON poll_history (source_id, id)`,
  ],
};
