import { z } from 'zod';
import { SecretRefSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_NATS_EVENT_TYPE = 'flint.nats.message';

const SubjectSchema = z
  .string()
  .regex(/^[^\s]+$/, 'must be a NATS subject like "orders.>" (no spaces)')
  .max(512, 'must be at most 512 characters');

/**
 * NATS: with `jetstream`, a durable pull consumer on a stream, each message acknowledged after Flint's
 * event is (redelivered after `ackWaitMs` otherwise); without it, plain NATS subjects, which are
 * at-most-once: what arrives while Flint is down or disconnected is lost.
 */
export const NatsConfigSchema = strictObject({
  servers: z
    .array(
      z
        .string()
        .regex(
          /^(nats|tls):\/\/[^\s/@]+$/,
          'must be nats://host:port or tls://host:port, no credentials',
        ),
    )
    .min(1, 'must list at least one server')
    .max(20)
    .refine(hasNoDuplicates, 'must not repeat a server'),
  /** Subject (wildcards allowed) to subscribe to, or the JetStream consumer's filter. */
  subject: SubjectSchema,
  user: z.string().min(1).max(256).optional(),
  password: SecretRefSchema.optional(),
  token: SecretRefSchema.optional(),
  jetstream: strictObject({
    /** The stream to consume; it must exist. */
    stream: z.string().regex(/^[^\s.*>]+$/, 'must be a JetStream stream name'),
    /** The durable consumer; default `flint-<source id>`, created when missing. */
    durable: z
      .string()
      .regex(/^[^\s.*>]+$/, 'must be a consumer name without ".", "*" or ">"')
      .optional(),
    /** Where a new consumer starts: `latest` (new messages) or `earliest` (the whole stream). */
    startFrom: z
      .enum(['latest', 'earliest'], { error: 'must be "latest" or "earliest"' })
      .default('latest'),
    /** A message not acknowledged this long after delivery is delivered again. */
    ackWaitMs: z.number().int().min(1000).max(3_600_000).default(30_000),
  }).optional(),
  /** Messages in flight (published but not yet acknowledged) at a time. */
  maxInFlight: z.number().int().min(1).max(1000).default(64),
  ...streamMessageFields(DEFAULT_NATS_EVENT_TYPE),
})
  .refine((config) => config.password === undefined || config.user !== undefined, {
    message: 'a password needs a user',
    path: ['password'],
  })
  .refine((config) => config.token === undefined || config.user === undefined, {
    message: 'use either token or user and password',
    path: ['token'],
  });
export type NatsConfig = z.infer<typeof NatsConfigSchema>;
