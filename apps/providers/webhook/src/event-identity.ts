import { EventTypeSchema, type WebhookConfig } from '@flint/contracts';

export type Headers = Record<string, string | string[] | undefined>;

const MAX_EVENT_ID_LENGTH = 512;

export class EventIdentityError extends Error {
  override readonly name = 'EventIdentityError';
}

/**
 * The sender's own id of this delivery, so that a redelivery keeps its event id: the configured
 * header or body field first, then GitHub's `X-GitHub-Delivery`, Stripe's event id (for a source
 * with Stripe auth), `Idempotency-Key`. Undefined when there is none (the runtime generates one).
 */
export function deliveryId(
  config: WebhookConfig,
  headers: Headers,
  json: unknown,
): string | undefined {
  const candidates = [
    config.eventId?.header === undefined ? undefined : headerValue(headers, config.eventId.header),
    config.eventId?.bodyField === undefined ? undefined : bodyField(json, config.eventId.bodyField),
    headerValue(headers, 'x-github-delivery'),
    config.auth.type === 'stripe' ? stripeEventId(json) : undefined,
    headerValue(headers, 'idempotency-key'),
  ];
  const id = candidates.find((candidate) => candidate !== undefined && candidate !== '');
  if (id !== undefined && id.length > MAX_EVENT_ID_LENGTH) {
    throw new EventIdentityError(
      `the delivery id is longer than ${MAX_EVENT_ID_LENGTH} characters`,
    );
  }
  return id;
}

/** The CloudEvent type: fixed, or `<prefix><header value>` with a fallback when the header is absent. */
export function eventType(config: WebhookConfig, headers: Headers): string {
  if (typeof config.eventType === 'string') return config.eventType;
  const { header, prefix, fallback } = config.eventType;
  const value = headerValue(headers, header);
  if (value === undefined || value === '') return fallback;
  const type = prefix + value;
  if (!EventTypeSchema.safeParse(type).success) {
    throw new EventIdentityError(
      `header ${header} does not give a valid event type: use letters, digits, ".", "_", ":", "/" or "-" (at most 512 characters)`,
    );
  }
  return type;
}

function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** A string or number at a dotted path of the JSON body. */
function bodyField(json: unknown, path: string): string | undefined {
  let current: unknown = json;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  return undefined;
}

function stripeEventId(json: unknown): string | undefined {
  const id = bodyField(json, 'id');
  return id !== undefined && id.startsWith('evt_') ? id : undefined;
}
