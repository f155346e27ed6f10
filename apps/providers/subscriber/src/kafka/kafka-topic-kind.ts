import type { KafkaTopicConfig } from '@flint/contracts';
import { kafkajsLogCreator } from '@flint/kafka';
import { InvalidSourceError, type OwnedSecrets } from '@flint/provider-sdk';
import {
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type SASLOptions,
} from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Delivery } from '../subscription/delivery';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

/** Most messages handed to the pipeline (one produce request) at a time. */
const CHUNK = 500;

/**
 * Kafka topics of any cluster. Replicas share a source's partitions through its consumer group, so
 * the source is not exclusive. Each batch of a partition is published, and only then is its offset
 * committed: a crash in between replays the batch, whose events keep their ids
 * (`topic/partition/offset`, or a CloudEvent's own id) and so collapse into the same runs.
 */
export class KafkaTopicKind implements StreamKind<'kafka', KafkaTopicConfig> {
  readonly kind = 'kafka';

  validate(config: KafkaTopicConfig): KafkaTopicConfig {
    if (typeof config.startFrom === 'object' && config.topics === undefined) {
      throw new InvalidSourceError(
        'startFrom: a timestamp needs the topics named (topics), not a topicPattern',
      );
    }
    if (config.topicPattern !== undefined) {
      try {
        new RegExp(config.topicPattern);
      } catch (err) {
        throw new InvalidSourceError(
          `topicPattern: not a regular expression: ${(err as Error).message}`,
        );
      }
    }
    return config;
  }

  async consume(session: StreamSession<'kafka', KafkaTopicConfig>): Promise<void> {
    const { ctx } = session;
    const { config, signal, source } = ctx;
    const groupId = config.groupId ?? `flint-${source.id}`;
    const kafka = new Kafka({
      clientId: `flint-subscriber-${source.id}`,
      brokers: config.brokers,
      ssl: await tlsOptions(config, ctx.secrets),
      sasl: await saslOptions(config, ctx.secrets),
      connectionTimeout: 10_000,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(ctx.log),
      retry: { retries: 3 },
    });
    if (typeof config.startFrom === 'object') {
      await startAtTimestamp(kafka, groupId, config.topics!, new Date(config.startFrom.timestamp));
    }
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      // A crash ends `consume` so the subscriber reconnects with its own backoff and reports it.
      retry: { retries: 3, restartOnFailure: async () => false },
    });
    const crashed = new Promise<never>((_, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    });
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: config.topics ?? [new RegExp(config.topicPattern!)],
        fromBeginning: config.startFrom === 'earliest',
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(session, consumer, payload),
      });
      session.connected();
      await Promise.race([stopped, crashed]);
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private async handleBatch(
    session: StreamSession<'kafka', KafkaTopicConfig>,
    consumer: Consumer,
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  ): Promise<void> {
    const { signal } = session.ctx;
    for (let start = 0; start < batch.messages.length; start += CHUNK) {
      if (!isRunning() || isStale() || signal.aborted) return;
      const messages = batch.messages.slice(start, start + CHUNK);
      try {
        await session.deliver(messages.map((m) => deliveryOf(batch.topic, batch.partition, m)));
      } catch (err) {
        // Stopping while Kafka had not acknowledged: commit nothing, the next owner replays.
        if (signal.aborted) return;
        throw err;
      }
      const last = messages[messages.length - 1].offset;
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      resolveOffset(last);
      await heartbeat();
    }
    session.lag(Number(batch.offsetLag()));
  }
}

function deliveryOf(topic: string, partition: number, message: KafkaMessage): Delivery {
  const time = Number(message.timestamp);
  return {
    body: message.value ?? Buffer.alloc(0),
    headers: headerStrings(message.headers ?? {}),
    identity: `${topic}/${partition}/${message.offset}`,
    subject: topic,
    ...(Number.isFinite(time) && time > 0 ? { time: new Date(time) } : {}),
    origin: `${topic}/${partition}@${message.offset}`,
  };
}

function headerStrings(headers: IHeaders): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) strings[name] = first.toString();
  }
  return strings;
}

/** For a group with no committed offsets yet: its partitions start at the first offset at `at`. */
async function startAtTimestamp(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
  at: Date,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const { topic, partitions } of committed) {
      if (partitions.some((partition) => partition.offset !== '-1')) continue;
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime());
      await admin.setOffsets({ groupId, topic, partitions: offsets });
    }
  } finally {
    await admin.disconnect();
  }
}

async function tlsOptions(
  config: KafkaTopicConfig,
  secrets: OwnedSecrets,
): Promise<ConnectionOptions | boolean> {
  if (config.ssl === undefined || config.ssl === false) return false;
  if (config.ssl === true) return true;
  const { ca, cert, key } = config.ssl;
  return {
    ...(ca ? { ca: [await secrets.resolve(ca.secretRef)] } : {}),
    ...(cert ? { cert: await secrets.resolve(cert.secretRef) } : {}),
    ...(key ? { key: await secrets.resolve(key.secretRef) } : {}),
  };
}

async function saslOptions(
  config: KafkaTopicConfig,
  secrets: OwnedSecrets,
): Promise<SASLOptions | undefined> {
  if (config.sasl === undefined) return undefined;
  const { mechanism, username, password } = config.sasl;
  return { mechanism, username, password: await secrets.resolve(password.secretRef) };
}
