import { AdminKeyVerifier } from './api-key';

describe('AdminKeyVerifier', () => {
  const verifier = new AdminKeyVerifier('s3cret-admin-key');

  it('accepts the bootstrap key as a bearer token', () => {
    expect(verifier.verify('Bearer s3cret-admin-key')).toBe('ok');
    expect(verifier.verify('bearer s3cret-admin-key')).toBe('ok');
  });

  it('tells a missing key from a wrong one', () => {
    expect(verifier.verify(undefined)).toBe('missing');
    expect(verifier.verify('Basic abc')).toBe('missing');
    expect(verifier.verify('Bearer s3cret-admin-ke')).toBe('invalid');
    expect(verifier.verify('Bearer s3cret-admin-key-and-more')).toBe('invalid');
  });

  it('refuses everything when no key is configured', () => {
    const unconfigured = new AdminKeyVerifier(undefined);
    expect(unconfigured.configured).toBe(false);
    expect(unconfigured.verify('Bearer anything')).toBe('unconfigured');
  });
});
