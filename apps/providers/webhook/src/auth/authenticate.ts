import type { WebhookAuth } from '@flint/contracts';
import type { OwnedSecrets } from '@flint/provider-sdk';
import { constantTimeEqual } from './constant-time';
import {
  type TimestampedVerdict,
  verifyHmacSignature,
  verifySlackSignature,
  verifyStandardWebhook,
  verifyStripeSignature,
} from './signatures';

export interface AuthRequest {
  /** Header names in lower case, as Node delivers them. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type AuthResult = { ok: true } | { ok: false; message: string };

/**
 * Checks that a call comes from whoever holds the source's secret (any of its secrets, during a
 * rotation). Messages say what is missing or wrong without ever repeating a secret or the expected
 * signature. Throws `SecretNotFoundError` when a secret is not configured on this server.
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
    case 'hmac-sha256':
    case 'hmac':
    case 'meta': {
      const name = auth.type === 'meta' ? 'X-Hub-Signature-256' : auth.header;
      const signature = header(request, name);
      if (signature === undefined) return fail(`missing signature header ${name}`);
      const verified =
        auth.type === 'hmac'
          ? verifyHmacSignature(
              request.rawBody,
              signature,
              await secretsOf(auth, secrets),
              auth.prefix,
              auth.algorithm,
              auth.encoding,
            )
          : verifyHmacSignature(
              request.rawBody,
              signature,
              await secretsOf(auth, secrets),
              auth.type === 'meta' ? 'sha256=' : auth.prefix,
            );
      return verified
        ? { ok: true }
        : fail(`the ${name} signature does not match the request body`);
    }
    case 'stripe': {
      const signature = header(request, 'stripe-signature');
      if (signature === undefined) return fail('missing signature header Stripe-Signature');
      const verdict = verifyStripeSignature(
        request.rawBody,
        signature,
        await secretsOf(auth, secrets),
        auth.toleranceSeconds,
        nowMs,
      );
      return timestamped(verdict, {
        name: 'Stripe-Signature',
        shape: 'the Stripe-Signature header must look like t=<unix seconds>,v1=<hex signature>',
        signed: 'the timestamp and request body',
        toleranceSeconds: auth.toleranceSeconds,
      });
    }
    case 'standard-webhooks': {
      const [id, timestamp, signature] = [
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
      ].map((name) => header(request, name));
      if (id === undefined || timestamp === undefined || signature === undefined) {
        return fail('missing header webhook-id, webhook-timestamp or webhook-signature');
      }
      const verdict = verifyStandardWebhook(
        request.rawBody,
        { id, timestamp, signature },
        await secretsOf(auth, secrets),
        auth.toleranceSeconds,
        nowMs,
      );
      return timestamped(verdict, {
        name: 'webhook-signature',
        shape:
          'webhook-timestamp must be unix seconds and webhook-signature list "v1,<base64 signature>" entries',
        signed: 'the webhook-id, timestamp and request body',
        toleranceSeconds: auth.toleranceSeconds,
      });
    }
    case 'slack': {
      const timestamp = header(request, 'x-slack-request-timestamp');
      const signature = header(request, 'x-slack-signature');
      if (timestamp === undefined || signature === undefined) {
        return fail('missing header X-Slack-Request-Timestamp or X-Slack-Signature');
      }
      const verdict = verifySlackSignature(
        request.rawBody,
        { timestamp, signature },
        await secretsOf(auth, secrets),
        auth.toleranceSeconds,
        nowMs,
      );
      return timestamped(verdict, {
        name: 'X-Slack-Signature',
        shape: 'X-Slack-Request-Timestamp must be unix seconds and X-Slack-Signature v0=<hex>',
        signed: 'the timestamp and request body',
        toleranceSeconds: auth.toleranceSeconds,
      });
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

/** The source's secret and those still accepted during a rotation. */
async function secretsOf(
  auth: { secretRef: string; additionalSecretRefs?: string[] },
  secrets: OwnedSecrets,
): Promise<string[]> {
  const names = [auth.secretRef, ...(auth.additionalSecretRefs ?? [])];
  return Promise.all(names.map((name) => secrets.resolve(name)));
}

function timestamped(
  verdict: TimestampedVerdict,
  scheme: { name: string; shape: string; signed: string; toleranceSeconds: number },
): AuthResult {
  switch (verdict) {
    case 'valid':
      return { ok: true };
    case 'malformed':
      return fail(scheme.shape);
    case 'stale':
      return fail(
        `the ${scheme.name} timestamp is more than ${scheme.toleranceSeconds} s from the server's ` +
          'time; a replayed or delayed request is refused',
      );
    case 'mismatch':
      return fail(`the ${scheme.name} signature does not match ${scheme.signed}`);
  }
}

function fail(message: string): AuthResult {
  return { ok: false, message };
}

/** A header's value; a repeated header counts as absent, as a signature must be unambiguous. */
export function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
