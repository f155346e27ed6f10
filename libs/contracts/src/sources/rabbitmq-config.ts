import { z } from 'zod';
import { SecretRefSchema } from '../primitives';
import { strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_RABBITMQ_EVENT_TYPE = 'flint.rabbitmq.message';

const NameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');

/**
 * A RabbitMQ (AMQP 0-9-1) queue: consumed with manual acknowledgements and a prefetch limit, each
 * message acknowledged after Flint's event is; a bad message is rejected (to the queue's dead-letter
 * exchange, if it has one) after it is in flint.dlq. Replicas share the queue as competing consumers.
 */
export const RabbitMqConfigSchema = strictObject({
  /** `amqp://host[:port][/vhost]` or `amqps://…`, with no credentials in it. */
  url: z
    .string()
    .regex(
      /^amqps?:\/\/[^:@/\s]+(?::\d{1,5})?(?:\/[^\s]*)?$/,
      'must be amqp://host[:port][/vhost] or amqps://…, with no credentials in it (use username and password)',
    ),
  username: z.string().min(1).max(256).optional(),
  password: SecretRefSchema.optional(),
  queue: NameSchema,
  /** Declare the queue (durable) and bind it, instead of expecting it to exist. */
  declare: strictObject({
    /** Where rejected messages go; the queue's `x-dead-letter-exchange`. */
    deadLetterExchange: NameSchema.optional(),
    bindings: z
      .array(strictObject({ exchange: NameSchema, routingKey: z.string().max(255).default('#') }))
      .max(50)
      .default([]),
  }).optional(),
  /** Unacknowledged messages the broker sends at a time. */
  prefetch: z.number().int().min(1).max(1000).default(64),
  ...streamMessageFields(DEFAULT_RABBITMQ_EVENT_TYPE),
}).refine((config) => config.password === undefined || config.username !== undefined, {
  message: 'a password needs a username',
  path: ['password'],
});
export type RabbitMqConfig = z.infer<typeof RabbitMqConfigSchema>;
