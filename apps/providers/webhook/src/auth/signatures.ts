import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time';

export type HmacAlgorithm = 'sha256' | 'sha1' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

/** Hex HMAC-SHA256 of the exact bytes received. */
export function hmacSha256Hex(secret: string | Buffer, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * True when `received` equals one of the expected signatures. Every candidate is compared, so the
 * time taken does not tell which one matched (or how many secrets there are to try).
 */
export function matchesAny(received: readonly string[], expected: readonly string[]): boolean {
  return received
    .flatMap((signature) => expected.map((candidate) => constantTimeEqual(signature, candidate)))
    .some(Boolean);
}

/**
 * Checks a `<prefix><HMAC of the raw body>` header against each secret: GitHub's
 * `X-Hub-Signature-256: sha256=<hex>` by default, Shopify's base64 `X-Shopify-Hmac-Sha256`, or a
 * SHA-1 of older senders. Hex case is ignored; base64 is compared as sent.
 */
export function verifyHmacSignature(
  rawBody: Buffer,
  headerValue: string,
  secrets: readonly string[],
  prefix: string,
  algorithm: HmacAlgorithm = 'sha256',
  encoding: SignatureEncoding = 'hex',
): boolean {
  if (!headerValue.startsWith(prefix)) return false;
  const sent = headerValue.slice(prefix.length).trim();
  const received = encoding === 'hex' ? sent.toLowerCase() : sent;
  const expected = secrets.map((secret) =>
    createHmac(algorithm, secret).update(rawBody).digest(encoding),
  );
  return matchesAny([received], expected);
}

export type TimestampedVerdict = 'valid' | 'malformed' | 'stale' | 'mismatch';

/** A signature over a timestamp is judged on the signature first, then on the timestamp's age. */
function judge(
  matched: boolean,
  timestampSeconds: number,
  toleranceSeconds: number,
  nowMs: number,
): TimestampedVerdict {
  if (!matched) return 'mismatch';
  if (Math.abs(nowMs / 1000 - timestampSeconds) > toleranceSeconds) return 'stale';
  return 'valid';
}

/**
 * Standard Webhooks: base64 HMAC-SHA256, keyed with the base64-decoded secret (`whsec_<base64>`), of
 * `<webhook-id>.<webhook-timestamp>.<raw body>`; `webhook-signature` lists `v1,<signature>` entries
 * separated by spaces, several while the sender rotates its secret.
 */
export function verifyStandardWebhook(
  rawBody: Buffer,
  headers: { id: string; timestamp: string; signature: string },
  secrets: readonly string[],
  toleranceSeconds: number,
  nowMs: number,
): TimestampedVerdict {
  if (!/^\d{1,12}$/.test(headers.timestamp)) return 'malformed';
  const received = headers.signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  if (received.length === 0) return 'malformed';
  const signed = Buffer.concat([Buffer.from(`${headers.id}.${headers.timestamp}.`), rawBody]);
  const expected = secrets.map((secret) =>
    createHmac('sha256', standardWebhookKey(secret)).update(signed).digest('base64'),
  );
  return judge(matchesAny(received, expected), Number(headers.timestamp), toleranceSeconds, nowMs);
}

/** A Standard Webhooks secret is base64, usually behind `whsec_`. */
function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` with the signing
 * secret, the timestamp in `X-Slack-Request-Timestamp`.
 */
export function verifySlackSignature(
  rawBody: Buffer,
  headers: { timestamp: string; signature: string },
  secrets: readonly string[],
  toleranceSeconds: number,
  nowMs: number,
): TimestampedVerdict {
  if (!/^\d{1,12}$/.test(headers.timestamp) || !headers.signature.startsWith('v0=')) {
    return 'malformed';
  }
  const signed = Buffer.concat([Buffer.from(`v0:${headers.timestamp}:`), rawBody]);
  const expected = secrets.map((secret) => `v0=${hmacSha256Hex(secret, signed)}`);
  return judge(
    matchesAny([headers.signature.toLowerCase()], expected),
    Number(headers.timestamp),
    toleranceSeconds,
    nowMs,
  );
}

export interface StripeSignatureHeader {
  timestamp: number;
  /** Every `v1` signature; several during a secret roll. */
  signatures: string[];
}

/** Parses `t=1492774577,v1=…[,v1=…][,v0=…]`; undefined when the timestamp or every v1 is missing. */
export function parseStripeSignature(headerValue: string): StripeSignatureHeader | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of headerValue.split(',')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== '') signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/**
 * Stripe's scheme: HMAC-SHA256 of `<t>.<raw body>` with the endpoint secret, compared with each
 * `v1`; a timestamp further than the tolerance from now (either way) is refused, so a captured
 * request cannot be replayed later.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  headerValue: string,
  secrets: readonly string[],
  toleranceSeconds: number,
  nowMs: number,
): TimestampedVerdict {
  const header = parseStripeSignature(headerValue);
  if (header === undefined) return 'malformed';
  const signed = Buffer.concat([Buffer.from(`${header.timestamp}.`, 'utf8'), rawBody]);
  const expected = secrets.map((secret) => hmacSha256Hex(secret, signed));
  return judge(matchesAny(header.signatures, expected), header.timestamp, toleranceSeconds, nowMs);
}
