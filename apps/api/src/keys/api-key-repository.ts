import type { ApiRole } from '@flint/contracts';
import type { Store } from '@flint/store';

/** A stored API key: the SHA-256 of the key, never the key. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  role: ApiRole;
  /** Unset only for admin keys. */
  owner?: string;
  keyHash: Buffer;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export type NewApiKey = Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'owner' | 'keyHash'>;

interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiRole;
  owner: string | null;
  key_hash: Uint8Array;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, role, owner, key_hash, created_at, last_used_at, revoked_at';

export class ApiKeyRepository {
  constructor(private readonly store: Store) {}

  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    const rows = await this.store.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, role, owner, key_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [key.id, key.name, key.role, key.owner ?? null, key.keyHash],
    );
    return toRecord(rows[0]);
  }

  async find(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.store.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.store.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** Revokes the key (a revoked key keeps its first revocation time); undefined when there is none. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.store.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * Records that the key was used, unless that was already recorded after `notBefore`: replicas that
   * see the same key at once write the row once rather than on every request.
   */
  async markUsed(id: string, at: Date, notBefore: Date): Promise<void> {
    await this.store.query(
      `UPDATE api_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`,
      [id, at, notBefore],
    );
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    ...(row.owner === null ? {} : { owner: row.owner }),
    keyHash: Buffer.from(row.key_hash),
    createdAt: row.created_at,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}
