import {
  hmacSha256Hex,
  parseStripeSignature,
  verifyHmacSignature,
  verifyStripeSignature,
} from './signatures';

describe('HMAC-SHA256 signatures', () => {
  // GitHub's documented example (docs.github.com, "Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const payload = Buffer.from('Hello, World!');
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("matches GitHub's published example", () => {
    expect(`sha256=${hmacSha256Hex(secret, payload)}`).toBe(signature);
    expect(verifyHmacSignature(payload, signature, secret, 'sha256=')).toBe(true);
    expect(
      verifyHmacSignature(
        payload,
        signature.toUpperCase().replace('SHA256=', 'sha256='),
        secret,
        'sha256=',
      ),
    ).toBe(true);
  });

  it('refuses another body, another secret, a missing prefix or a truncated signature', () => {
    expect(verifyHmacSignature(Buffer.from('Hello, World?'), signature, secret, 'sha256=')).toBe(
      false,
    );
    expect(verifyHmacSignature(payload, signature, 'another secret', 'sha256=')).toBe(false);
    expect(verifyHmacSignature(payload, signature.slice(7), secret, 'sha256=')).toBe(false);
    expect(verifyHmacSignature(payload, signature.slice(0, -2), secret, 'sha256=')).toBe(false);
  });

  it('supports a header without prefix', () => {
    expect(verifyHmacSignature(payload, signature.slice(7), secret, '')).toBe(true);
  });
});

describe('Stripe signatures', () => {
  // Stripe publishes the scheme (HMAC-SHA256 of "<t>.<raw body>", hex, in v1) but no vector with
  // its secret; this one was computed independently with
  // `printf '1492774577.{"id":"evt_test_webhook","object":"event"}' | openssl dgst -sha256 -hmac whsec_test_secret`.
  const secret = 'whsec_test_secret';
  const body = Buffer.from('{"id":"evt_test_webhook","object":"event"}');
  const v1 = '88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a';
  const signedAt = 1492774577;
  const atSigning = signedAt * 1000;

  it("parses the header of Stripe's documentation", () => {
    expect(
      parseStripeSignature(
        't=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39',
      ),
    ).toEqual({
      timestamp: 1492774577,
      signatures: ['5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
    });
    expect(parseStripeSignature('v1=abc')).toBeUndefined();
    expect(parseStripeSignature('t=12,v0=abc')).toBeUndefined();
    expect(parseStripeSignature('t=soon,v1=abc')).toBeUndefined();
  });

  it('accepts the signature within the tolerance, either side of the timestamp', () => {
    const header = `t=${signedAt},v1=${v1}`;
    expect(verifyStripeSignature(body, header, secret, 300, atSigning)).toBe('valid');
    expect(verifyStripeSignature(body, header, secret, 300, atSigning + 300_000)).toBe('valid');
    expect(verifyStripeSignature(body, header, secret, 300, atSigning - 300_000)).toBe('valid');
  });

  it('refuses a stale or future timestamp, so a captured request cannot be replayed', () => {
    const header = `t=${signedAt},v1=${v1}`;
    expect(verifyStripeSignature(body, header, secret, 300, atSigning + 301_000)).toBe('stale');
    expect(verifyStripeSignature(body, header, secret, 300, atSigning - 301_000)).toBe('stale');
  });

  it('refuses a signature for another timestamp, body or secret', () => {
    expect(verifyStripeSignature(body, `t=${signedAt + 1},v1=${v1}`, secret, 300, atSigning)).toBe(
      'mismatch',
    );
    expect(
      verifyStripeSignature(Buffer.from('{}'), `t=${signedAt},v1=${v1}`, secret, 300, atSigning),
    ).toBe('mismatch');
    expect(
      verifyStripeSignature(body, `t=${signedAt},v1=${v1}`, 'whsec_other', 300, atSigning),
    ).toBe('mismatch');
    expect(verifyStripeSignature(body, 'garbage', secret, 300, atSigning)).toBe('malformed');
  });

  it('accepts any one of several v1 signatures', () => {
    const header = `t=${signedAt},v1=${'0'.repeat(64)},v1=${v1}`;
    expect(verifyStripeSignature(body, header, secret, 300, atSigning)).toBe('valid');
  });
});
