import { EnvSecretResolver, SecretNotFoundError, secretEnvName } from './secrets';

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
