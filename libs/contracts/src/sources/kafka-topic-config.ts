import { z } from 'zod';
import { IsoDateTimeSchema, SecretRefSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_KAFKA_EVENT_TYPE = 'flint.kafka.message';
const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

const TopicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: letters, digits, ".", "_" or "-"');

/** Where a new consumer group starts; a group that has committed offsets resumes from them. */
const StartFromSchema = z.union(
  [z.literal('latest'), z.literal('earliest'), strictObject({ timestamp: IsoDateTimeSchema })],
  { error: 'must be "latest", "earliest" or { timestamp: <ISO 8601 date-time> }' },
);

/**
 * A Kafka topic source: any cluster (Flint's own or another), topics by name or by pattern, read by a
 * consumer group of its own; offsets are committed only after Flint's event is acknowledged.
 */
export const KafkaTopicConfigSchema = strictObject({
  brokers: z
    .array(
      z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port like "kafka-0.example:9092"'),
    )
    .min(1, 'must list at least one broker')
    .max(50, 'must list at most 50 brokers')
    .refine(hasNoDuplicates, 'must not repeat a broker'),
  topics: z
    .array(TopicNameSchema)
    .min(1, 'must list at least one topic')
    .max(100, 'must list at most 100 topics')
    .refine(hasNoDuplicates, 'must not repeat a topic')
    .optional(),
  /** A regular expression topics are matched with, e.g. `^orders\\.`; new topics are picked up. */
  topicPattern: z.string().min(1, 'must not be empty').max(512).optional(),
  /** The consumer group; default `flint-<source id>`. Replicas share the partitions. */
  groupId: z.string().min(1).max(255).optional(),
  startFrom: StartFromSchema.default('latest'),
  /** TLS to the brokers; `true` trusts the system's certificate authorities. */
  ssl: z
    .union([
      z.boolean(),
      strictObject({
        ca: SecretRefSchema.optional(),
        cert: SecretRefSchema.optional(),
        key: SecretRefSchema.optional(),
      }),
    ])
    .optional(),
  sasl: strictObject({
    mechanism: z.enum(saslMechanisms, {
      error: `must be one of: ${saslMechanisms.join(', ')}`,
    }),
    username: z.string().min(1).max(256),
    password: SecretRefSchema,
  }).optional(),
  ...streamMessageFields(DEFAULT_KAFKA_EVENT_TYPE),
}).refine((config) => (config.topics === undefined) !== (config.topicPattern === undefined), {
  message: 'name the topics to read: exactly one of topics or topicPattern',
  path: ['topics'],
});
export type KafkaTopicConfig = z.infer<typeof KafkaTopicConfigSchema>;
