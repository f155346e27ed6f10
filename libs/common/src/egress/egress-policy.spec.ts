import { EgressPolicy, EgressRefusedError } from './egress-policy';

describe('EgressPolicy', () => {
  const strict = new EgressPolicy({ refusePrivate: true, allow: [] });

  it('refuses link-local and cloud metadata addresses by default, however they are written', () => {
    const policy = EgressPolicy.DEFAULT;
    for (const address of [
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      'fd00:ec2::254',
      '100.100.100.200',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '[::ffff:a9fe:a9fe]',
    ]) {
      expect({ address, rule: policy.refusal('metadata.example', address) }).toEqual({
        address,
        rule: expect.stringMatching(/link-local|metadata/),
      });
    }
    for (const address of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '::1', '93.184.215.14']) {
      expect({ address, rule: policy.refusal('host', address) }).toEqual({
        address,
        rule: undefined,
      });
    }
  });

  it('refuses private, loopback and unique-local addresses when told to, naming the rule', () => {
    expect(strict.refusal('db.internal', '10.0.0.7')).toBe('private (10.0.0.0/8)');
    expect(strict.refusal('localhost', '127.0.0.1')).toBe('loopback (127.0.0.0/8)');
    expect(strict.refusal('localhost', '::1')).toBe('loopback (::1)');
    expect(strict.refusal('x', '::ffff:127.0.0.1')).toBe('loopback (127.0.0.0/8)');
    expect(strict.refusal('x', 'fd12::1')).toBe('unique local (fc00::/7)');
    expect(strict.refusal('x', '172.31.255.255')).toBe('private (172.16.0.0/12)');
    expect(strict.refusal('x', '172.32.0.1')).toBeUndefined();
    expect(strict.refusal('example.com', '93.184.215.14')).toBeUndefined();
    expect(() => strict.check('db.internal', '10.0.0.7')).toThrow(
      new EgressRefusedError('db.internal', '10.0.0.7', 'private (10.0.0.0/8)'),
    );
    expect(() => strict.check('db.internal', '10.0.0.7')).toThrow(
      'egress to db.internal (10.0.0.7) is refused: private (10.0.0.0/8); an operator may allow it with FLINT_EGRESS_ALLOW',
    );
  });

  it('lets the allow list through: CIDRs, addresses, host names and subdomain wildcards', () => {
    const policy = new EgressPolicy({
      refusePrivate: true,
      allow: [
        '10.1.0.0/16',
        '::1',
        ' 127.0.0.1 ',
        'hooks.internal',
        '*.corp.example',
        '169.254.10.0/24',
      ],
    });
    expect(policy.refusal('a', '10.1.200.3')).toBeUndefined();
    expect(policy.refusal('a', '10.2.0.1')).toBe('private (10.0.0.0/8)');
    expect(policy.refusal('a', '::1')).toBeUndefined();
    expect(policy.refusal('a', '127.0.0.1')).toBeUndefined();
    expect(policy.refusal('a', '127.0.0.2')).toBe('loopback (127.0.0.0/8)');
    expect(policy.refusal('HOOKS.internal', '10.9.9.9')).toBeUndefined();
    expect(policy.refusal('ci.corp.example', '10.9.9.9')).toBeUndefined();
    expect(policy.refusal('corp.example', '10.9.9.9')).toBe('private (10.0.0.0/8)');
    expect(policy.refusal('evilcorp.example', '10.9.9.9')).toBe('private (10.0.0.0/8)');
    expect(policy.refusal('a', '169.254.10.5')).toBeUndefined();
    expect(policy.refusal('a', '169.254.169.254')).toMatch(/metadata/);
  });

  it('refuses what is not an address, and allow entries it cannot read', () => {
    expect(strict.refusal('a', 'not-an-ip')).toBe('"not-an-ip" is not an IP address');
    for (const entry of [
      '10.0.0.0/33',
      '::1/129',
      '10.0.0.0/x',
      'bad_host!',
      'a.example/8',
      '*.',
    ]) {
      expect(() => new EgressPolicy({ refusePrivate: false, allow: [entry] })).toThrow(
        `FLINT_EGRESS_ALLOW: "${entry}"`,
      );
    }
  });
});
