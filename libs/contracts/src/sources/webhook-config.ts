import { z } from 'zod';
import { EventTypeSchema, HeaderNameSchema, SecretNameSchema } from '../primitives';
import { discriminatorError, hasNoDuplicates, strictObject } from '../strict';

export const WEBHOOK_AUTH_TYPES = [
  'hmac-sha256',
  'hmac',
  'stripe',
  'standard-webhooks',
  'slack',
  'meta',
  'bearer',
  'api-key',
  'none',
] as const;
export type WebhookAuthType = (typeof WEBHOOK_AUTH_TYPES)[number];

export const DEFAULT_WEBHOOK_EVENT_TYPE = 'flint.webhook.received';
export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024 * 1024;

/** Secrets accepted besides `secretRef` while a sender rotates its secret: any of them may sign. */
const AdditionalSecretRefsSchema = z
  .array(SecretNameSchema)
  .max(4, 'must list at most 4 secrets')
  .refine(hasNoDuplicates, 'must not repeat a secret')
  .optional();

/** How far a signed timestamp may be from the server's time before the call counts as a replay. */
const ToleranceSecondsSchema = z
  .number()
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1')
  .max(86_400, 'must be at most 86400 (one day)')
  .default(300);

/** How callers prove who they are; required so that an open endpoint is always a visible choice. */
export const WebhookAuthSchema = z.discriminatedUnion(
  'type',
  [
    // GitHub's X-Hub-Signature-256 by default.
    strictObject({
      type: z.literal('hmac-sha256'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      header: HeaderNameSchema.default('X-Hub-Signature-256'),
      prefix: z.string().max(64, 'must be at most 64 characters').default('sha256='),
    }),
    // Any HMAC of the raw body in a header: Shopify's base64 SHA-256, older senders' SHA-1.
    strictObject({
      type: z.literal('hmac'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      header: HeaderNameSchema,
      prefix: z.string().max(64, 'must be at most 64 characters').default(''),
      algorithm: z
        .enum(['sha256', 'sha1', 'sha512'], { error: 'must be one of: sha256, sha1, sha512' })
        .default('sha256'),
      encoding: z.enum(['hex', 'base64'], { error: 'must be hex or base64' }).default('hex'),
    }),
    strictObject({
      type: z.literal('stripe'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      toleranceSeconds: ToleranceSecondsSchema,
    }),
    // webhook-id, webhook-timestamp and webhook-signature (standardwebhooks.com); whsec_ secrets.
    strictObject({
      type: z.literal('standard-webhooks'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      toleranceSeconds: ToleranceSecondsSchema,
    }),
    // X-Slack-Signature v0 over the timestamp and body; answers the url_verification challenge.
    strictObject({
      type: z.literal('slack'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      toleranceSeconds: ToleranceSecondsSchema,
    }),
    // X-Hub-Signature-256 with the app secret; answers the hub.challenge GET with the verify token.
    strictObject({
      type: z.literal('meta'),
      secretRef: SecretNameSchema,
      additionalSecretRefs: AdditionalSecretRefsSchema,
      verifyTokenRef: SecretNameSchema,
    }),
    strictObject({ type: z.literal('bearer'), secretRef: SecretNameSchema }),
    strictObject({
      type: z.literal('api-key'),
      secretRef: SecretNameSchema,
      header: HeaderNameSchema,
    }),
    strictObject({ type: z.literal('none') }),
  ],
  {
    error: discriminatorError(
      'type',
      'auth type',
      WEBHOOK_AUTH_TYPES,
      `required: one of ${WEBHOOK_AUTH_TYPES.join(', ')}; write { type: none } to accept calls without authentication`,
    ),
  },
);
export type WebhookAuth = z.infer<typeof WebhookAuthSchema>;

/** Where the provider's own delivery id is, so a redelivered call keeps its event id. */
export const WebhookEventIdSchema = strictObject({
  header: HeaderNameSchema.optional(),
  /** Dotted path into the JSON body, e.g. `id` or `data.object.id`. */
  bodyField: z
    .string()
    .regex(
      /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/,
      'must be a dotted path into the body like "data.id"',
    )
    .optional(),
}).refine((value) => (value.header === undefined) !== (value.bodyField === undefined), {
  message: 'set exactly one of "header" or "bodyField"',
});

/** The CloudEvent type: fixed, or read from a header (GitHub's `X-GitHub-Event` → `github.push`). */
export const WebhookEventTypeSchema = z.union(
  [
    EventTypeSchema,
    strictObject({
      header: HeaderNameSchema,
      prefix: z.string().max(128, 'must be at most 128 characters').default(''),
      /** Used when the header is absent. */
      fallback: EventTypeSchema.default(DEFAULT_WEBHOOK_EVENT_TYPE),
    }),
  ],
  { error: 'must be an event type or { header, prefix?, fallback? }' },
);

export const WEBHOOK_METHODS = ['POST', 'PUT', 'GET'] as const;

export const WebhookConfigSchema = strictObject({
  /** Path under `/hooks/`, e.g. `github` or `github/org-a`. */
  path: z
    .string()
    .max(200, 'must be at most 200 characters')
    .regex(
      /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\/[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/,
      'must be the path under /hooks/ without slashes around it: lowercase segments of a-z, 0-9, "-" and "_" separated by "/" (like "github" or "github/org-a")',
    ),
  methods: z
    .array(z.enum(WEBHOOK_METHODS, { error: `must be one of: ${WEBHOOK_METHODS.join(', ')}` }))
    .min(1, 'must list at least one method')
    .refine(hasNoDuplicates, 'must not repeat a method')
    .default(['POST']),
  auth: WebhookAuthSchema,
  eventId: WebhookEventIdSchema.optional(),
  eventType: WebhookEventTypeSchema.default(DEFAULT_WEBHOOK_EVENT_TYPE),
  bodyLimitBytes: z
    .number()
    .int('must be a whole number of bytes')
    .min(1, 'must be at least 1')
    .max(MAX_WEBHOOK_BODY_BYTES, `must be at most ${MAX_WEBHOOK_BODY_BYTES} (16 MiB)`)
    .default(1024 * 1024),
  rateLimit: strictObject({
    perSecond: z.number().positive('must be greater than 0'),
    burst: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  }).optional(),
  /** JSON Schema the body must match; a body that does not gets a 400 with the reason. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;
