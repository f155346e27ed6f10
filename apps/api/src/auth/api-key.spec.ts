import type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from '../keys/api-key-repository';
import { ApiKeyAuthenticator, generateApiKey, hashApiKey } from './api-key';

class FakeKeys {
  records = new Map<string, ApiKeyRecord>();
  marks: Date[] = [];

  add(key: NewApiKey, extra: Partial<ApiKeyRecord> = {}): void {
    this.records.set(key.id, { ...key, createdAt: new Date(0), ...extra });
  }

  find(id: string): Promise<ApiKeyRecord | undefined> {
    return Promise.resolve(this.records.get(id));
  }

  markUsed(id: string, at: Date): Promise<void> {
    this.marks.push(at);
    const record = this.records.get(id);
    if (record) record.lastUsedAt = at;
    return Promise.resolve();
  }
}

describe('generateApiKey', () => {
  it('makes flint_<id>_<43 base64url chars> keys whose hash is kept, not the key', () => {
    const generated = generateApiKey();
    expect(generated.key).toMatch(/^flint_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(generated.key.startsWith(`flint_${generated.id}_`)).toBe(true);
    expect(generated.hash.equals(hashApiKey(generated.key))).toBe(true);
    expect(generateApiKey().key).not.toBe(generated.key);
  });
});

describe('ApiKeyAuthenticator', () => {
  let keys: FakeKeys;
  let now: Date;
  const authenticator = (bootstrapKey?: string) =>
    new ApiKeyAuthenticator(keys as unknown as ApiKeyRepository, {
      bootstrapKey,
      now: () => now,
    });

  beforeEach(() => {
    keys = new FakeKeys();
    now = new Date('2026-01-01T00:00:00Z');
  });

  it('accepts the bootstrap key as the admin "bootstrap"', async () => {
    await expect(
      authenticator('s3cret-admin').authenticate('Bearer s3cret-admin'),
    ).resolves.toEqual({ ok: true, principal: { keyId: 'bootstrap', role: 'admin' } });
    await expect(authenticator('s3cret-admin').authenticate('bearer s3cret-admi')).resolves.toEqual(
      { ok: false, reason: 'invalid' },
    );
  });

  it('accepts a stored key with its role and owner', async () => {
    const editor = generateApiKey();
    keys.add({
      id: editor.id,
      name: 'ci',
      role: 'editor',
      owner: 'payments',
      keyHash: editor.hash,
    });
    await expect(authenticator().authenticate(`Bearer ${editor.key}`)).resolves.toEqual({
      ok: true,
      principal: { keyId: editor.id, role: 'editor', owner: 'payments' },
    });
  });

  it('refuses a missing, malformed, unknown, altered or revoked key', async () => {
    const stored = generateApiKey();
    keys.add({ id: stored.id, name: 'x', role: 'viewer', owner: 'a', keyHash: stored.hash });
    const revoked = generateApiKey();
    keys.add(
      { id: revoked.id, name: 'y', role: 'admin', keyHash: revoked.hash },
      { revokedAt: new Date(0) },
    );
    const auth = authenticator('admin-key');
    const altered = `${stored.key.slice(0, -1)}${stored.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await auth.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await auth.authenticate('Basic abc')).toEqual({ ok: false, reason: 'missing' });
    expect(await auth.authenticate('Bearer flint_nope')).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.authenticate(`Bearer ${generateApiKey().key}`)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await auth.authenticate(`Bearer ${altered}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.authenticate(`Bearer ${revoked.key}`)).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('records the last use at most once a minute', async () => {
    const stored = generateApiKey();
    keys.add({ id: stored.id, name: 'x', role: 'admin', keyHash: stored.hash });
    const auth = authenticator();
    await auth.authenticate(`Bearer ${stored.key}`);
    now = new Date(now.getTime() + 30_000);
    await auth.authenticate(`Bearer ${stored.key}`);
    expect(keys.marks).toHaveLength(1);
    now = new Date(now.getTime() + 31_000);
    await auth.authenticate(`Bearer ${stored.key}`);
    expect(keys.marks).toHaveLength(2);
  });
});
