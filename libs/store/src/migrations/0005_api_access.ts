import type { Migration } from './migration';

/**
 * API keys and encrypted secrets. A key is stored as the SHA-256 of the whole key, never the key; a
 * secret as AES-256-GCM ciphertext with its IV, tag and the id of the key it is encrypted under, so
 * the encryption key can be rotated without knowing which secrets are where.
 */
export const apiAccessMigration: Migration = {
  version: 5,
  name: 'api_access',
  statements: [
    `CREATE TABLE api_keys (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
      owner text,
      key_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      -- Admin keys see every owner; every other key is limited to exactly one.
      CHECK ((role = 'admin') = (owner IS NULL))
    )`,
    `CREATE TABLE secrets (
      name text PRIMARY KEY,
      owner text NOT NULL,
      key_id text NOT NULL,
      ciphertext bytea NOT NULL,
      iv bytea NOT NULL,
      auth_tag bytea NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX secrets_owner_idx ON secrets (owner, name)`,
    `CREATE INDEX secrets_key_id_idx ON secrets (key_id)`,
  ],
};
