import type { Migration } from './migration';

/**
 * Every change of a source or trigger, written in the transaction that makes it: the body as it was
 * stored (for a deletion, the body that was deleted), who changed it and how. A deletion keeps the
 * version it deleted, so only the other actions own their version number.
 */
export const definitionHistoryMigration: Migration = {
  version: 6,
  name: 'definition_history',
  statements: [
    `CREATE TABLE definition_history (
      seq bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('source', 'trigger')),
      id text NOT NULL,
      version integer NOT NULL CHECK (version >= 1),
      action text NOT NULL
        CHECK (action IN ('created', 'updated', 'deleted', 'enabled', 'disabled')),
      owner text NOT NULL,
      body jsonb NOT NULL,
      changed_by text,
      changed_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX definition_history_version_idx ON definition_history (kind, id, version)
      WHERE action <> 'deleted'`,
    `CREATE INDEX definition_history_definition_idx ON definition_history (kind, id, seq)`,
    // Definitions stored before this migration start their history at their current version.
    `INSERT INTO definition_history (kind, id, version, action, owner, body, changed_at)
      SELECT 'source', id, version, CASE WHEN version = 1 THEN 'created' ELSE 'updated' END,
             owner, body, updated_at
        FROM sources WHERE deleted_at IS NULL`,
    `INSERT INTO definition_history (kind, id, version, action, owner, body, changed_at)
      SELECT 'trigger', id, version, CASE WHEN version = 1 THEN 'created' ELSE 'updated' END,
             owner, body, updated_at
        FROM triggers WHERE deleted_at IS NULL`,
  ],
};
