import type { Migration } from './migration';

/** Columns shared by sources and triggers; `body` is the full definition without version/updatedAt. */
const definitionColumns = `
  id text PRIMARY KEY,
  owner text NOT NULL,
  enabled boolean NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- A deleted definition keeps its row so a re-created one continues from its version.
  deleted_at timestamptz`;

export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `CREATE TABLE sources (${definitionColumns},
      provider text NOT NULL
    )`,
    `CREATE INDEX sources_owner_idx ON sources (owner) WHERE deleted_at IS NULL`,
    `CREATE TABLE triggers (${definitionColumns}
    )`,
    `CREATE INDEX triggers_owner_idx ON triggers (owner) WHERE deleted_at IS NULL`,

    `CREATE TABLE provider_state (
      provider text NOT NULL,
      source_id text NOT NULL,
      key text NOT NULL,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, source_id, key)
    )`,
    // The primary key is the claim: the replica whose insert wins fires the slot.
    `CREATE TABLE cron_slots (
      source_id text NOT NULL,
      slot_time timestamptz NOT NULL,
      claimed_by text NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_id, slot_time)
    )`,
    `CREATE TABLE leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL
    )`,

    `CREATE TABLE runs (
      run_id text PRIMARY KEY,
      trigger_id text NOT NULL,
      trigger_version integer NOT NULL,
      owner text NOT NULL,
      status text NOT NULL
        CHECK (status IN ('REQUESTED', 'STARTED', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
      attempts integer NOT NULL DEFAULT 0,
      input jsonb,
      result jsonb,
      error_type text,
      error_message text,
      event_ids text[] NOT NULL DEFAULT '{}',
      dedupe_key text,
      concurrency_key text,
      trace_id text,
      claimed_by text,
      claim_expires_at timestamptz,
      next_attempt_at timestamptz,
      requested_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX runs_trigger_created_idx ON runs (trigger_id, created_at)`,
    `CREATE INDEX runs_status_next_attempt_idx ON runs (status, next_attempt_at)`,
    `CREATE INDEX runs_active_concurrency_idx ON runs (trigger_id, concurrency_key)
      WHERE status IN ('REQUESTED', 'STARTED')`,

    `CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      key text NOT NULL,
      value jsonb,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`,
    `CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL`,
  ],
};
