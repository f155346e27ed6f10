import type { WebhookAuth } from '@flint/contracts';
import type { OwnedSecrets } from '@flint/provider-sdk';
import { type WebhookResponse, errorResponse } from '../webhook-response';
import { constantTimeEqual } from './constant-time';

/** A challenge is echoed back; only the plain tokens senders use are, nothing that could be markup. */
const CHALLENGE = /^[A-Za-z0-9._~-]{1,512}$/;

/**
 * Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<c>`,
 * answered with the challenge when the token is the source's verify token. Undefined when the GET
 * is no such check (no `hub.mode`).
 */
export async function metaVerification(
  auth: Extract<WebhookAuth, { type: 'meta' }>,
  query: string,
  secrets: OwnedSecrets,
): Promise<WebhookResponse | undefined> {
  const params = new URLSearchParams(query);
  const mode = params.get('hub.mode');
  if (mode === null) return undefined;
  const token = params.get('hub.verify_token');
  const challenge = params.get('hub.challenge');
  if (mode !== 'subscribe' || token === null || challenge === null || !CHALLENGE.test(challenge)) {
    return errorResponse(
      400,
      'invalid_request',
      'a verification request needs hub.mode=subscribe, hub.verify_token and a hub.challenge of letters, digits, ".", "_", "~" or "-"',
    );
  }
  const expected = await secrets.resolve(auth.verifyTokenRef);
  if (!constantTimeEqual(token, expected)) {
    return errorResponse(403, 'forbidden', "hub.verify_token is not this webhook's verify token");
  }
  return { status: 200, body: challenge };
}

/**
 * Slack's `url_verification` event, sent (signed) when an app's request URL is set: answered with
 * its challenge, and no event is published. Undefined for every other body.
 */
export function slackUrlVerification(json: unknown): WebhookResponse | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { type, challenge } = json as { type?: unknown; challenge?: unknown };
  if (type !== 'url_verification') return undefined;
  if (typeof challenge !== 'string' || !CHALLENGE.test(challenge)) {
    return errorResponse(
      400,
      'invalid_request',
      'a url_verification body needs a challenge of letters, digits, ".", "_", "~" or "-"',
    );
  }
  return { status: 200, body: { challenge } };
}
