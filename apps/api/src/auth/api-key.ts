import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyRepository } from '../keys/api-key-repository';
import type { Principal } from './principal';

const KEY_PREFIX = 'flint_';
/** Ids are hex so they never contain the "_" that separates them from the secret part. */
export const API_KEY_ID = /^[0-9a-f]{16}$/;
const STORED_KEY = /^flint_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** How stale `last_used_at` may get: writing it on every request would cost a write per request. */
const LAST_USED_PRECISION_MS = 60_000;

export interface GeneratedApiKey {
  id: string;
  /** `flint_<id>_<32 random bytes as base64url>`; shown once, then only its hash exists. */
  key: string;
  hash: Buffer;
}

export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(8).toString('hex');
  const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

/**
 * SHA-256, not a slow password hash: a key carries 256 random bits, so guessing it from the hash is
 * infeasible however fast the hash is, and a slow hash would only make every request slower.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export type Authentication =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'invalid' | 'revoked' };

export interface ApiKeyAuthenticatorOptions {
  /** FLINT_ADMIN_API_KEY: the bootstrap admin, keyId `bootstrap`. */
  bootstrapKey?: string;
  now?: () => Date;
  /** Called when recording a key's last use fails; the request goes on. */
  onMarkUsedError?: (err: unknown) => void;
}

/**
 * Turns an `Authorization: Bearer <key>` header into a principal: the bootstrap admin key, or a key
 * created through the API, looked up by the id it carries and checked by its hash in constant time.
 * Keys are read from the database on every request, so a revocation takes effect at once everywhere.
 */
export class ApiKeyAuthenticator {
  private readonly bootstrapHash: Buffer | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly options: ApiKeyAuthenticatorOptions = {},
  ) {
    this.bootstrapHash = options.bootstrapKey ? hashApiKey(options.bootstrapKey) : undefined;
    this.now = options.now ?? (() => new Date());
  }

  /** Whether FLINT_ADMIN_API_KEY is set; messages mention it when it is not. */
  get hasBootstrapKey(): boolean {
    return this.bootstrapHash !== undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing' };
    const presented = hashApiKey(match[1]);
    if (this.bootstrapHash && timingSafeEqual(presented, this.bootstrapHash)) {
      return { ok: true, principal: { keyId: 'bootstrap', role: 'admin' } };
    }
    const parsed = STORED_KEY.exec(match[1]);
    if (!parsed) return { ok: false, reason: 'invalid' };
    const record = await this.keys.find(parsed[1]);
    if (!record || !timingSafeEqual(presented, record.keyHash)) {
      return { ok: false, reason: 'invalid' };
    }
    if (record.revokedAt) return { ok: false, reason: 'revoked' };
    await this.markUsed(record);
    return { ok: true, principal: principalOf(record) };
  }

  private async markUsed(record: ApiKeyRecord): Promise<void> {
    const now = this.now();
    const notBefore = new Date(now.getTime() - LAST_USED_PRECISION_MS);
    if (record.lastUsedAt && record.lastUsedAt >= notBefore) return;
    try {
      await this.keys.markUsed(record.id, now, notBefore);
    } catch (err) {
      this.options.onMarkUsedError?.(err);
    }
  }
}

function principalOf(record: ApiKeyRecord): Principal {
  return record.owner === undefined
    ? { keyId: record.id, role: record.role }
    : { keyId: record.id, role: record.role, owner: record.owner };
}
