import type { WebhookAuth } from '@flint/contracts';
import type { OwnedSecrets } from '@flint/provider-sdk';
import { constantTimeEqual } from './constant-time';
import { verifyHmacSignature, verifyStripeSignature } from './signatures';

export interface AuthRequest {
  /** Header names in lower case, as Node delivers them. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type AuthResult = { ok: true } | { ok: false; message: string };

const STRIPE_HEADER = 'stripe-signature';

/**
 * Checks that a call comes from whoever holds the source's secret. Messages say what is missing or
 * wrong without ever repeating a secret or the expected signature. Throws `SecretNotFoundError`
 * when the secret is not configured on this server.
 */
export async function authenticate(
  auth: WebhookAuth,
  request: AuthRequest,
  secrets: OwnedSecrets,
  nowMs: number,
): Promise<AuthResult> {
  switch (auth.type) {
    case 'none':
      return { ok: true };
    case 'hmac-sha256': {
      const signature = header(request, auth.header);
      if (signature === undefined) return fail(`missing signature header ${auth.header}`);
      const secret = await secrets.resolve(auth.secretRef);
      return verifyHmacSignature(request.rawBody, signature, secret, auth.prefix)
        ? { ok: true }
        : fail(`the ${auth.header} signature does not match the request body`);
    }
    case 'stripe': {
      const signature = header(request, STRIPE_HEADER);
      if (signature === undefined) return fail('missing signature header Stripe-Signature');
      const secret = await secrets.resolve(auth.secretRef);
      const verdict = verifyStripeSignature(
        request.rawBody,
        signature,
        secret,
        auth.toleranceSeconds,
        nowMs,
      );
      if (verdict === 'valid') return { ok: true };
      if (verdict === 'malformed') {
        return fail(
          'the Stripe-Signature header must look like t=<unix seconds>,v1=<hex signature>',
        );
      }
      if (verdict === 'stale') {
        return fail(
          `the Stripe-Signature timestamp is more than ${auth.toleranceSeconds} s from the server's ` +
            'time; a replayed or delayed request is refused',
        );
      }
      return fail('the Stripe-Signature signature does not match the timestamp and request body');
    }
    case 'bearer': {
      const authorization = header(request, 'authorization');
      const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization);
      if (!match) return fail('missing header Authorization: Bearer <token>');
      const secret = await secrets.resolve(auth.secretRef);
      return constantTimeEqual(match[1].trim(), secret)
        ? { ok: true }
        : fail('the bearer token is not valid for this webhook');
    }
    case 'api-key': {
      const key = header(request, auth.header);
      if (key === undefined) return fail(`missing API key header ${auth.header}`);
      const secret = await secrets.resolve(auth.secretRef);
      return constantTimeEqual(key, secret)
        ? { ok: true }
        : fail(`the ${auth.header} API key is not valid for this webhook`);
    }
  }
}

function fail(message: string): AuthResult {
  return { ok: false, message };
}

/** A header's value; a repeated header counts as absent, as a signature must be unambiguous. */
function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
