import { z } from 'zod';
import { HttpUrlSchema, SecretRefSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';

export const S3_OBJECT_EVENTS = ['created', 'changed', 'deleted'] as const;
export type S3ObjectEvent = (typeof S3_OBJECT_EVENTS)[number];

/** CloudEvent types of an object-storage source's events: `flint.s3.object.created`, … */
export function s3EventType(event: S3ObjectEvent): string {
  return `flint.s3.object.${event}`;
}

const GlobsSchema = z.union([
  z.string().min(1).max(1024),
  z
    .array(z.string().min(1).max(1024))
    .min(1)
    .max(100)
    .refine(hasNoDuplicates, 'must not repeat a glob'),
]);

/**
 * An S3-compatible bucket (AWS S3, MinIO, Google Cloud Storage through its S3 interoperability
 * endpoint), listed every `pollIntervalMs`: objects that appeared, changed (another ETag) or
 * disappeared since the listing Flint keeps (key, ETag, size) become events, also after downtime.
 * One replica lists a bucket.
 */
export const S3ConfigSchema = strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name'),
  /** Only keys under this prefix are listed. */
  prefix: z.string().max(1024).optional(),
  /** Glob or globs the key (relative to the prefix) must match; default every key. */
  pattern: GlobsSchema.default('**'),
  exclude: GlobsSchema.optional(),
  events: z
    .array(z.enum(S3_OBJECT_EVENTS, { error: `must be one of: ${S3_OBJECT_EVENTS.join(', ')}` }))
    .min(1)
    .refine(hasNoDuplicates, 'must not repeat an event')
    .default(['created']),
  /** Another S3-compatible service: MinIO, `https://storage.googleapis.com`, … */
  endpoint: HttpUrlSchema.optional(),
  region: z.string().min(1).max(64).default('us-east-1'),
  /** Path-style addressing (`endpoint/bucket/key`); default true with an endpoint. */
  forcePathStyle: z.boolean().optional(),
  /** Without them, the AWS SDK's default chain (environment, instance role, …). */
  accessKeyId: SecretRefSchema.optional(),
  secretAccessKey: SecretRefSchema.optional(),
  pollIntervalMs: z.number().int().min(1000).max(86_400_000).default(30_000),
  /** Announce the objects already there when the source first lists the bucket; default only record them. */
  emitExisting: z.boolean().default(false),
}).refine(
  (config) => (config.accessKeyId === undefined) === (config.secretAccessKey === undefined),
  {
    message: 'give both accessKeyId and secretAccessKey, or neither',
    path: ['secretAccessKey'],
  },
);
export type S3Config = z.infer<typeof S3ConfigSchema>;

/** `data` of an object-storage event. */
export const S3ObjectEventDataSchema = z.object({
  event: z.enum(S3_OBJECT_EVENTS),
  bucket: z.string(),
  key: z.string(),
  etag: z.string(),
  size: z.number(),
  lastModified: z.string().optional(),
});
export type S3ObjectEventData = z.infer<typeof S3ObjectEventDataSchema>;
