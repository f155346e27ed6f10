import {
  verifySlackSignature,
  verifyStandardWebhook,
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
    expect(verifyHmacSignature(payload, signature, [secret], 'sha256=')).toBe(true);
    expect(
      verifyHmacSignature(
        payload,
        signature.toUpperCase().replace('SHA256=', 'sha256='),
        [secret],
        'sha256=',
      ),
    ).toBe(true);
  });

  it('refuses another body, another secret, a missing prefix or a truncated signature', () => {
    expect(verifyHmacSignature(Buffer.from('Hello, World?'), signature, [secret], 'sha256=')).toBe(
      false,
    );
    expect(verifyHmacSignature(payload, signature, ['another secret'], 'sha256=')).toBe(false);
    expect(verifyHmacSignature(payload, signature.slice(7), [secret], 'sha256=')).toBe(false);
    expect(verifyHmacSignature(payload, signature.slice(0, -2), [secret], 'sha256=')).toBe(false);
  });

  it('supports a header without prefix', () => {
    expect(verifyHmacSignature(payload, signature.slice(7), [secret], '')).toBe(true);
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
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning)).toBe('valid');
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning + 300_000)).toBe('valid');
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning - 300_000)).toBe('valid');
  });

  it('refuses a stale or future timestamp, so a captured request cannot be replayed', () => {
    const header = `t=${signedAt},v1=${v1}`;
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning + 301_000)).toBe('stale');
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning - 301_000)).toBe('stale');
  });

  it('refuses a signature for another timestamp, body or secret', () => {
    expect(
      verifyStripeSignature(body, `t=${signedAt + 1},v1=${v1}`, [secret], 300, atSigning),
    ).toBe('mismatch');
    expect(
      verifyStripeSignature(Buffer.from('{}'), `t=${signedAt},v1=${v1}`, [secret], 300, atSigning),
    ).toBe('mismatch');
    expect(
      verifyStripeSignature(body, `t=${signedAt},v1=${v1}`, ['whsec_other'], 300, atSigning),
    ).toBe('mismatch');
    expect(verifyStripeSignature(body, 'garbage', [secret], 300, atSigning)).toBe('malformed');
  });

  it('accepts any one of several v1 signatures', () => {
    const header = `t=${signedAt},v1=${'0'.repeat(64)},v1=${v1}`;
    expect(verifyStripeSignature(body, header, [secret], 300, atSigning)).toBe('valid');
  });
});

describe('HMAC in other algorithms and encodings', () => {
  // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256), published vectors.
  const data = Buffer.from('what do ya want for nothing?');

  it('checks SHA-1 for older senders and base64 as Shopify sends it', () => {
    expect(
      verifyHmacSignature(
        data,
        'sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
        ['Jefe'],
        'sha1=',
        'sha1',
      ),
    ).toBe(true);
    const base64 = Buffer.from(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      'hex',
    ).toString('base64');
    expect(verifyHmacSignature(data, base64, ['Jefe'], '', 'sha256', 'base64')).toBe(true);
    // Base64 is case-sensitive: a changed letter is another signature.
    expect(verifyHmacSignature(data, base64.toLowerCase(), ['Jefe'], '', 'sha256', 'base64')).toBe(
      false,
    );
    expect(verifyHmacSignature(data, base64, ['Jefe'], '', 'sha1', 'base64')).toBe(false);
  });

  it('accepts any active secret during a rotation, and none other', () => {
    const signed = 'sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79';
    expect(verifyHmacSignature(data, signed, ['new-secret', 'Jefe'], 'sha1=', 'sha1')).toBe(true);
    expect(verifyHmacSignature(data, signed, ['new-secret', 'old'], 'sha1=', 'sha1')).toBe(false);
  });
});

describe('Standard Webhooks signatures', () => {
  // The example of the Standard Webhooks specification.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = Buffer.from('{"test": 2432232314}');
  const headers = {
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: '1614265330',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const signedAt = 1614265330_000;

  it("matches the specification's example, within the tolerance only", () => {
    expect(verifyStandardWebhook(body, headers, [secret], 300, signedAt)).toBe('valid');
    expect(verifyStandardWebhook(body, headers, [secret], 300, signedAt + 300_000)).toBe('valid');
    expect(verifyStandardWebhook(body, headers, [secret], 300, signedAt + 301_000)).toBe('stale');
    expect(verifyStandardWebhook(body, headers, [secret], 300, signedAt - 301_000)).toBe('stale');
  });

  it('finds the valid one among several signatures and secrets (a rotation on either side)', () => {
    const rotated = { ...headers, signature: `v1,bm90LWl0 ${headers.signature} v2,xyz` };
    expect(verifyStandardWebhook(body, rotated, ['whsec_b3RoZXI=', secret], 300, signedAt)).toBe(
      'valid',
    );
    expect(verifyStandardWebhook(body, rotated, ['whsec_b3RoZXI='], 300, signedAt)).toBe(
      'mismatch',
    );
  });

  it('refuses another id, timestamp or body, and malformed headers', () => {
    for (const changed of [
      { ...headers, id: 'msg_other' },
      { ...headers, timestamp: '1614265331' },
    ]) {
      expect(verifyStandardWebhook(body, changed, [secret], 300, signedAt)).toBe('mismatch');
    }
    expect(
      verifyStandardWebhook(Buffer.from('{"test": 1}'), headers, [secret], 300, signedAt),
    ).toBe('mismatch');
    expect(
      verifyStandardWebhook(body, { ...headers, timestamp: 'yesterday' }, [secret], 300, signedAt),
    ).toBe('malformed');
    expect(
      verifyStandardWebhook(body, { ...headers, signature: 'g0hM9SsE' }, [secret], 300, signedAt),
    ).toBe('malformed');
  });
});

describe('Slack signatures', () => {
  // The example of Slack's "Verifying requests from Slack".
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = Buffer.from(
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  );
  const headers = {
    timestamp: '1531420618',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };
  const signedAt = 1531420618_000;

  it("matches Slack's published example, within the tolerance only", () => {
    expect(verifySlackSignature(body, headers, [secret], 300, signedAt)).toBe('valid');
    expect(verifySlackSignature(body, headers, ['other', secret], 300, signedAt)).toBe('valid');
    expect(verifySlackSignature(body, headers, [secret], 300, signedAt + 301_000)).toBe('stale');
    expect(verifySlackSignature(body, headers, ['other'], 300, signedAt)).toBe('mismatch');
    expect(
      verifySlackSignature(body, { ...headers, timestamp: '1531420619' }, [secret], 300, signedAt),
    ).toBe('mismatch');
    expect(
      verifySlackSignature(body, { ...headers, signature: 'v1=abc' }, [secret], 300, signedAt),
    ).toBe('malformed');
  });
});
