import { z } from 'zod';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const brokerAddress = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, 'each broker must be host:port, e.g. 127.0.0.1:9092');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

const positiveInt = z.coerce
  .number({ error: 'expected a whole number' })
  .int('expected a whole number')
  .positive('expected a number above 0');

const optionalText = z.string().optional();

/**
 * The consumer group session: a crashed consumer's partitions move to another replica after this
 * long. Short enough for fast failover, and safe because consumers heartbeat during long batches too.
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/**
 * The Kafka settings of every Flint service, read from the environment. Parsing turns the flat
 * variables into the shape `createKafka` needs and rejects half-configured SASL or TLS up front, so
 * a service fails at start with a reason instead of timing out against the cluster later.
 */
export const KafkaConfigSchema = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((value) =>
        value
          .split(',')
          .map((broker) => broker.trim())
          .filter((broker) => broker.length > 0),
      )
      .pipe(z.array(brokerAddress).min(1, 'at least one broker is needed')),
    KAFKA_CLIENT_ID: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,255}$/, 'letters, digits, ".", "_" or "-"'),
    KAFKA_SSL: booleanFlag.default(false),
    KAFKA_SSL_CA_FILE: optionalText,
    KAFKA_SASL_MECHANISM: z
      .enum(SASL_MECHANISMS, { error: `expected one of ${SASL_MECHANISMS.join(', ')}` })
      .optional(),
    KAFKA_SASL_USERNAME: optionalText,
    KAFKA_SASL_PASSWORD: optionalText,
    KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
    KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
    KAFKA_CONNECTION_TIMEOUT_MS: positiveInt.default(3000),
    KAFKA_EVENT_SIGNING_KEY: z
      .string()
      .min(32, 'must be at least 32 characters (make one with: openssl rand -base64 32)')
      .optional(),
    // Between the broker's default group.min.session.timeout.ms and group.max.session.timeout.ms.
    KAFKA_SESSION_TIMEOUT_MS: positiveInt
      .min(6000, 'at least 6000 (the broker refuses shorter sessions by default)')
      .max(300_000, 'at most 300000')
      .default(DEFAULT_SESSION_TIMEOUT_MS),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM !== undefined) {
      for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
        if (env[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `required when KAFKA_SASL_MECHANISM is set (${env.KAFKA_SASL_MECHANISM})`,
          });
        }
      }
    } else if (env.KAFKA_SASL_USERNAME !== undefined || env.KAFKA_SASL_PASSWORD !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SASL_MECHANISM'],
        message: `required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (one of ${SASL_MECHANISMS.join(', ')})`,
      });
    }
    if (env.KAFKA_SSL_CA_FILE !== undefined && !env.KAFKA_SSL) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SSL'],
        message: 'must be true when KAFKA_SSL_CA_FILE is set',
      });
    }
  })
  .transform((env): KafkaConfig => ({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    ssl: env.KAFKA_SSL,
    sslCaFile: env.KAFKA_SSL_CA_FILE,
    sasl:
      env.KAFKA_SASL_MECHANISM === undefined
        ? undefined
        : {
            mechanism: env.KAFKA_SASL_MECHANISM,
            username: env.KAFKA_SASL_USERNAME ?? '',
            password: env.KAFKA_SASL_PASSWORD ?? '',
          },
    topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
    eventSigningKey: env.KAFKA_EVENT_SIGNING_KEY,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
  }));

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sslCaFile?: string;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  topicPartitions: number;
  replicationFactor: number;
  connectionTimeoutMs: number;
  /** The key Flint's services sign their events with; unset, every producer's events are trusted. */
  eventSigningKey?: string;
  /**
   * How long the group waits for a silent consumer before giving its partitions to another replica:
   * the failover time after a crash. A consumer that stops cleanly leaves at once.
   */
  sessionTimeoutMs: number;
}

export class KafkaConfigError extends Error {
  override readonly name = 'KafkaConfigError';
}

/**
 * Reads the Kafka settings from `env`; `clientId` is used when `KAFKA_CLIENT_ID` is not set. A
 * variable set to the empty string counts as unset, as it does for the local broker script.
 */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv, clientId: string): KafkaConfig {
  const kafkaEnv = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith('KAFKA_') && value !== ''),
  );
  const result = KafkaConfigSchema.safeParse({ KAFKA_CLIENT_ID: clientId, ...kafkaEnv });
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    );
    throw new KafkaConfigError(`Invalid Kafka configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
