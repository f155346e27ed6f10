import { z } from 'zod';
import { requiredOr, strictObject } from './strict';

const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SLUG_RULE =
  'a lowercase slug of at most 63 characters: a-z, 0-9 and "-", starting and ending with a letter or digit';

/** The id of a source or trigger; DNS-label shaped so it can name Kubernetes objects and metrics. */
export const IdSchema = z
  .string()
  .regex(SLUG, `must be ${SLUG_RULE} (like "github-push")`)
  .describe(`Id: ${SLUG_RULE}.`);

export const OwnerSchema = z
  .string()
  .regex(SLUG, `must be a team name: ${SLUG_RULE} (like "payments")`)
  .describe('The team that owns the definition.');

export const WorkflowNameSchema = z
  .string()
  .regex(SLUG, `must be a workflow name: ${SLUG_RULE} (like "deploy-service")`);

/** Server-assigned definition version, used as an optimistic-concurrency hint. */
export const VersionSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .describe('Version of the stored definition; assigned by the server when it is stored.');

export const IsoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: requiredOr('must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"'),
});

export const TraceparentSchema = z
  .string()
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent')
  .describe('W3C trace context, so one trace follows an event across services.');

export const SecretNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/,
    'must be the name of a secret: letters, digits, ".", "_" or "-" (like "github-webhook-secret")',
  )
  .describe('Name of a stored secret; secret values are never written into definitions.');

export const SecretRefSchema = strictObject({ secretRef: SecretNameSchema });
export type SecretRef = z.infer<typeof SecretRefSchema>;

export const HeaderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name like "X-Request-Id"');

/** A header value, either literal or taken from a secret (credentials). */
export const HeaderValueSchema = z.union([z.string(), SecretRefSchema], {
  error: requiredOr('must be a string or { secretRef: <secret name> }'),
});
export type HeaderValue = z.infer<typeof HeaderValueSchema>;

export const HeadersSchema = z.record(HeaderNameSchema, HeaderValueSchema);

export const HttpUrlSchema = z.url({
  protocol: /^https?$/,
  error: requiredOr('must be an http:// or https:// URL'),
});

export const EventTypeSchema = z
  .string()
  .max(512, 'must be at most 512 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/,
    'must be an event type: letters, digits, ".", "_", ":", "/" or "-" (like "com.example.order.created")',
  );

/** Event types under this prefix are Flint's own (`flint.run.failed`); only its services publish them. */
export const RESERVED_TYPE_PREFIX = 'flint.';

export function isReservedEventType(type: string): boolean {
  return type.startsWith(RESERVED_TYPE_PREFIX);
}

/** A CEL expression; it is compiled (and rejected with the error position) by the condition library. */
export const CelExpressionSchema = z
  .string()
  .max(4096, 'must be at most 4096 characters')
  .regex(/\S/, 'must be a non-empty CEL expression');
