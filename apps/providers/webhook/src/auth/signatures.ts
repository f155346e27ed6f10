import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time';

/** Hex HMAC-SHA256 of the exact bytes received. */
export function hmacSha256Hex(secret: string, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * Checks a `<prefix><hex HMAC-SHA256 of the raw body>` header, GitHub's `X-Hub-Signature-256:
 * sha256=…` form by default. Hex case is ignored.
 */
export function verifyHmacSignature(
  rawBody: Buffer,
  headerValue: string,
  secret: string,
  prefix: string,
): boolean {
  if (!headerValue.startsWith(prefix)) return false;
  const received = headerValue.slice(prefix.length).trim().toLowerCase();
  return constantTimeEqual(received, hmacSha256Hex(secret, rawBody));
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

export type StripeVerdict = 'valid' | 'malformed' | 'stale' | 'mismatch';

/**
 * Stripe's scheme: HMAC-SHA256 of `<t>.<raw body>` with the endpoint secret, compared with each
 * `v1`; a timestamp further than the tolerance from now (either way) is refused, so a captured
 * request cannot be replayed later.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  headerValue: string,
  secret: string,
  toleranceSeconds: number,
  nowMs: number,
): StripeVerdict {
  const header = parseStripeSignature(headerValue);
  if (header === undefined) return 'malformed';
  const expected = hmacSha256Hex(
    secret,
    Buffer.concat([Buffer.from(`${header.timestamp}.`, 'utf8'), rawBody]),
  );
  // Every candidate is compared, so the time taken does not tell which one matched.
  const matched = header.signatures
    .map((signature) => constantTimeEqual(signature, expected))
    .some(Boolean);
  if (!matched) return 'mismatch';
  if (Math.abs(nowMs / 1000 - header.timestamp) > toleranceSeconds) return 'stale';
  return 'valid';
}
