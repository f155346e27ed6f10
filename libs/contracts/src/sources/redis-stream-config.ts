import { z } from 'zod';
import { SecretRefSchema } from '../primitives';
import { strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_REDIS_STREAM_EVENT_TYPE = 'flint.redis-stream.message';

/**
 * A Redis stream read with a consumer group: replicas share its entries (each one a consumer of the
 * group), an entry is acknowledged (`XACK`) only after Flint's event is, and entries a dead consumer
 * left pending are claimed (`XAUTOCLAIM`) once idle for `claimIdleMs`.
 */
export const RedisStreamConfigSchema = strictObject({
  /** `redis://host:port/db` or `rediss://` for TLS; the password goes in `password`. */
  url: z
    .string()
    .regex(
      /^rediss?:\/\/(?:[^:@/\s]+@)?[^:@/\s]+(?::\d{1,5})?(?:\/\d{1,2})?$/,
      'must be redis://[user@]host[:port][/db] or rediss://…, with no password in it (use password)',
    ),
  password: SecretRefSchema.optional(),
  stream: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
  /** The consumer group; default `flint-<source id>`, created (with the stream) when missing. */
  group: z.string().min(1).max(255).optional(),
  /** Where a new group starts: `latest` (new entries) or `earliest` (the whole stream). */
  startFrom: z
    .enum(['latest', 'earliest'], { error: 'must be "latest" or "earliest"' })
    .default('latest'),
  /**
   * The field that holds the payload; the other fields become headers. Without it, the entry's
   * fields as a JSON object are the payload.
   */
  payloadField: z.string().min(1).max(256).optional(),
  /** Entries read at a time. */
  batchSize: z.number().int().min(1).max(1000).default(100),
  /** Pending entries idle this long (their consumer died) are claimed by another. */
  claimIdleMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(1000, 'must be at least 1000')
    .max(86_400_000, 'must be at most a day')
    .default(60_000),
  ...streamMessageFields(DEFAULT_REDIS_STREAM_EVENT_TYPE),
});
export type RedisStreamConfig = z.infer<typeof RedisStreamConfigSchema>;
