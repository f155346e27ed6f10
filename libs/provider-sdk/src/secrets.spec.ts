import {
  EnvSecretResolver,
  resolveHeaders,
  SecretNotFoundError,
  StoredSecretResolver,
  secretEnvName,
} from './secrets';

const OWNER = 'team-a';

describe('secretEnvName', () => {
  it('upper-cases the name and turns every other character into "_"', () => {
    expect(secretEnvName('github-webhook-secret')).toBe('FLINT_SECRET_GITHUB_WEBHOOK_SECRET');
    expect(secretEnvName('stripe.signing_key2')).toBe('FLINT_SECRET_STRIPE_SIGNING_KEY2');
  });
});

describe('EnvSecretResolver', () => {
  it('reads the value from the environment', async () => {
    const resolver = new EnvSecretResolver({ FLINT_SECRET_GH: 's3cr3t' });
    await expect(resolver.resolve('gh')).resolves.toBe('s3cr3t');
  });

  it('names the secret and the variable to set, treating an empty value as unset', async () => {
    const resolver = new EnvSecretResolver({ FLINT_SECRET_GH: '' });
    const failure = resolver.resolve('gh');
    await expect(failure).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(failure).rejects.toThrow(
      'secret "gh" is not configured (set environment variable FLINT_SECRET_GH)',
    );
  });
});

class FakeSource {
  values = new Map<string, string>();
  owners = new Map<string, string>();
  reads = 0;
  failure: Error | undefined;

  open(name: string): Promise<{ value: string; owner: string } | undefined> {
    this.reads++;
    if (this.failure) return Promise.reject(this.failure);
    const value = this.values.get(name);
    return Promise.resolve(
      value === undefined ? undefined : { value, owner: this.owners.get(name) ?? OWNER },
    );
  }
}

describe('StoredSecretResolver', () => {
  let now = 0;
  let source: FakeSource;
  const env = { FLINT_SECRET_FROM_ENV: 'env-value', FLINT_SECRET_BOTH: 'env-both' };
  const resolver = () =>
    new StoredSecretResolver(source, new EnvSecretResolver(env), { ttlMs: 5000, nowMs: () => now });

  beforeEach(() => {
    now = 1_000_000;
    source = new FakeSource();
  });

  it('prefers the stored value, then falls back to the environment', async () => {
    source.values.set('both', 'stored-both');
    const secrets = resolver();
    await expect(secrets.resolve('both', OWNER)).resolves.toBe('stored-both');
    await expect(secrets.resolve('from-env', OWNER)).resolves.toBe('env-value');
  });

  it('reuses a lookup (and an absence) for the TTL, then sees a changed value', async () => {
    source.values.set('token', 'v1');
    const secrets = resolver();
    await secrets.resolve('token', OWNER);
    await secrets.resolve('from-env', OWNER);
    source.values.set('token', 'v2');
    await expect(secrets.resolve('token', OWNER)).resolves.toBe('v1');
    await secrets.resolve('from-env', OWNER);
    expect(source.reads).toBe(2);
    now += 5001;
    await expect(secrets.resolve('token', OWNER)).resolves.toBe('v2');
    expect(source.reads).toBe(3);
  });

  it('shares one lookup among concurrent calls', async () => {
    source.values.set('token', 'v1');
    const secrets = resolver();
    await Promise.all([1, 2, 3].map(() => secrets.resolve('token', OWNER)));
    expect(source.reads).toBe(1);
  });

  it('names both ways to configure a missing secret', async () => {
    const failure = resolver().resolve('nowhere', OWNER);
    await expect(failure).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(failure).rejects.toThrow(
      'secret "nowhere" is not configured (store it with "npx flint secret set nowhere", or set environment variable FLINT_SECRET_NOWHERE)',
    );
  });

  it("refuses another owner's stored secret instead of falling back to the environment", async () => {
    source.values.set('both', 'team-b-value');
    source.owners.set('both', 'team-b');
    const failure = resolver().resolve('both', OWNER);
    await expect(failure).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(failure).rejects.toThrow('belongs to another owner');
    await expect(failure).rejects.not.toThrow('team-b-value');
  });

  it('fails rather than falling back when the store fails', async () => {
    source.failure = new Error('database unreachable');
    await expect(resolver().resolve('both', OWNER)).rejects.toThrow('database unreachable');
  });
});

describe('resolveHeaders', () => {
  it('looks up secret headers and keeps literal ones', async () => {
    const secrets = new EnvSecretResolver({ FLINT_SECRET_API_TOKEN: 'Bearer s3cr3t' });
    expect(
      await resolveHeaders(
        { Authorization: { secretRef: 'api-token' }, Accept: 'text/plain' },
        secrets,
      ),
    ).toEqual({ Authorization: 'Bearer s3cr3t', Accept: 'text/plain' });
  });

  it('fails naming the missing secret, never a value', async () => {
    await expect(
      resolveHeaders({ Authorization: { secretRef: 'missing-token' } }, new EnvSecretResolver({})),
    ).rejects.toThrow('secret "missing-token" is not configured');
  });
});
