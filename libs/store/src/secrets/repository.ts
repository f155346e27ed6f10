import type { SecretMetadata, SecretRotation } from '@flint/contracts';
import type { SealedSecret, SecretCipher } from './cipher';
import type { Store } from '../store';

/** The secret exists and belongs to an owner the caller may not change. */
export class SecretOwnerConflictError extends Error {
  override readonly name = 'SecretOwnerConflictError';

  constructor(
    readonly secretName: string,
    readonly owner: string,
  ) {
    super(`secret "${secretName}" belongs to owner "${owner}"`);
  }
}

export interface PutSecret {
  name: string;
  value: string;
  owner: string;
  /** Only overwrite a secret of this owner (an editor's scope); unset: any owner (admins). */
  requireOwner?: string;
}

export interface PutSecretResult {
  secret: SecretMetadata;
  created: boolean;
}

interface SecretRow {
  name: string;
  owner: string;
  key_id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface SealedRow extends SecretRow {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  auth_tag: Uint8Array;
}

const METADATA_COLUMNS = 'name, owner, key_id, version, created_at, updated_at';
const SEALED_COLUMNS = `${METADATA_COLUMNS}, ciphertext, iv, auth_tag`;

/**
 * Secrets encrypted at rest. Values go in through `put` and come out only through `reveal`, which the
 * services resolving `secretRef`s call; everything the API shows is metadata.
 */
export class SecretRepository {
  constructor(
    private readonly store: Store,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Creates or replaces a secret in one statement, so two owners racing for a new name cannot both
   * win: the second one's update is refused by the owner condition.
   */
  async put(request: PutSecret): Promise<PutSecretResult> {
    const sealed = this.cipher.encrypt(request.name, request.value);
    const rows = await this.store.query<SecretRow>(
      `INSERT INTO secrets (name, owner, key_id, ciphertext, iv, auth_tag, version)
         VALUES ($1, $2, $3, $4, $5, $6, 1)
       ON CONFLICT (name) DO UPDATE SET
         owner = EXCLUDED.owner,
         key_id = EXCLUDED.key_id,
         ciphertext = EXCLUDED.ciphertext,
         iv = EXCLUDED.iv,
         auth_tag = EXCLUDED.auth_tag,
         version = secrets.version + 1,
         updated_at = now()
       WHERE $7::text IS NULL OR secrets.owner = $7::text
       RETURNING ${METADATA_COLUMNS}`,
      [
        request.name,
        request.owner,
        sealed.keyId,
        sealed.ciphertext,
        sealed.iv,
        sealed.authTag,
        request.requireOwner ?? null,
      ],
    );
    if (rows.length === 0) {
      const current = await this.get(request.name);
      throw new SecretOwnerConflictError(request.name, current?.owner ?? 'another owner');
    }
    return { secret: toMetadata(rows[0]), created: rows[0].version === 1 };
  }

  async get(name: string): Promise<SecretMetadata | undefined> {
    const rows = await this.store.query<SecretRow>(
      `SELECT ${METADATA_COLUMNS} FROM secrets WHERE name = $1`,
      [name],
    );
    return rows[0] && toMetadata(rows[0]);
  }

  /** Every secret, or one owner's, ordered by name. */
  async list(owner?: string): Promise<SecretMetadata[]> {
    const rows = await this.store.query<SecretRow>(
      `SELECT ${METADATA_COLUMNS} FROM secrets
        WHERE $1::text IS NULL OR owner = $1::text ORDER BY name`,
      [owner ?? null],
    );
    return rows.map(toMetadata);
  }

  /** Deletes the secret (only if it belongs to `requireOwner`, when given); false when there was none. */
  async delete(name: string, requireOwner?: string): Promise<boolean> {
    const rows = await this.store.query(
      `DELETE FROM secrets WHERE name = $1 AND ($2::text IS NULL OR owner = $2::text) RETURNING name`,
      [name, requireOwner ?? null],
    );
    return rows.length > 0;
  }

  /** The decrypted value, undefined when no such secret is stored; throws SecretDecryptionError. */
  async reveal(name: string): Promise<string | undefined> {
    return (await this.open(name))?.value;
  }

  /** The decrypted value with the owner it belongs to, so a caller can refuse another owner's secret. */
  async open(name: string): Promise<{ value: string; owner: string } | undefined> {
    const rows = await this.store.query<SealedRow & { owner: string }>(
      `SELECT ${SEALED_COLUMNS}, owner FROM secrets WHERE name = $1`,
      [name],
    );
    return rows[0] && { value: this.cipher.decrypt(name, sealedOf(rows[0])), owner: rows[0].owner };
  }

  /**
   * Re-encrypts every secret that is not under the current key. Each secret is rewritten in its own
   * transaction holding its row, so a value set meanwhile is never overwritten with an older one, and
   * a rotation cut short is simply run again.
   */
  async rotate(): Promise<SecretRotation> {
    const keyId = this.cipher.currentKeyId;
    const stale = await this.store.query<{ name: string }>(
      'SELECT name FROM secrets WHERE key_id <> $1 ORDER BY name',
      [keyId],
    );
    let reencrypted = 0;
    for (const { name } of stale) {
      const rewritten = await this.store.transaction(async (tx) => {
        const rows = await tx.query<SealedRow>(
          `SELECT ${SEALED_COLUMNS} FROM secrets WHERE name = $1 AND key_id <> $2 FOR UPDATE`,
          [name, keyId],
        );
        if (rows.length === 0) return false;
        const sealed = this.cipher.encrypt(name, this.cipher.decrypt(name, sealedOf(rows[0])));
        await tx.query(
          'UPDATE secrets SET key_id = $2, ciphertext = $3, iv = $4, auth_tag = $5 WHERE name = $1',
          [name, sealed.keyId, sealed.ciphertext, sealed.iv, sealed.authTag],
        );
        return true;
      });
      if (rewritten) reencrypted++;
    }
    const [{ count }] = await this.store.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM secrets',
    );
    return { keyId, reencrypted, unchanged: count - reencrypted };
  }
}

function toMetadata(row: SecretRow): SecretMetadata {
  return {
    name: row.name,
    owner: row.owner,
    keyId: row.key_id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function sealedOf(row: SealedRow): SealedSecret {
  return {
    keyId: row.key_id,
    ciphertext: Buffer.from(row.ciphertext),
    iv: Buffer.from(row.iv),
    authTag: Buffer.from(row.auth_tag),
  };
}
