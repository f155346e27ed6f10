import { egressPolicyFromEnv } from './egress-config';

describe('egressPolicyFromEnv', () => {
  it('refuses only link-local and metadata by default, and private ranges on demand with exceptions', () => {
    expect(egressPolicyFromEnv({}).refusal('h', '10.0.0.1')).toBeUndefined();
    expect(egressPolicyFromEnv({}).refusal('h', '169.254.169.254')).toMatch(/metadata/);
    const strict = egressPolicyFromEnv({
      FLINT_EGRESS_PRIVATE: 'deny',
      FLINT_EGRESS_ALLOW: '127.0.0.1/32, hooks.internal,,',
    });
    expect(strict.refusal('h', '10.0.0.1')).toBe('private (10.0.0.0/8)');
    expect(strict.refusal('h', '127.0.0.1')).toBeUndefined();
    expect(strict.refusal('hooks.internal', '10.0.0.1')).toBeUndefined();
  });

  it('fails the boot on a bad value, naming the variable', () => {
    expect(() => egressPolicyFromEnv({ FLINT_EGRESS_PRIVATE: 'no' })).toThrow(
      'FLINT_EGRESS_PRIVATE: expected allow or deny',
    );
    expect(() => egressPolicyFromEnv({ FLINT_EGRESS_ALLOW: '10.0.0.0/40' })).toThrow(
      'FLINT_EGRESS_ALLOW: "10.0.0.0/40" has no valid prefix length (0-32)',
    );
  });
});
