import { connect as connectAmqp } from 'amqplib';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { connect as connectNats, StringCodec } from 'nats';
import type { StoredDefinition } from '@flint/contracts';
import { EventProducer } from '@flint/kafka';
import { startService } from '@flint/service-kit';
import { SubscriberModule } from '../../apps/providers/subscriber/src/subscriber.module';
import type { Broker } from '../support/broker';
import type { Measurement, ScenarioResult } from '../support/result';
import { createScratchService } from '../support/scratch-service';
import { round, sleep } from '../support/stats';

const RATE_GOAL = 5_000;

export interface SubscriberBenchOptions {
  /** Messages preloaded upstream per kind. */
  messages: number;
  /** Give up on a kind that has not published them all after this long. */
  timeoutMs: number;
}

/** One kind: fills its upstream with `count` JSON messages, and says how a source reads them. */
interface KindUnderTest {
  kind: string;
  /** Fills the upstream; returns the source's config and how to clean up. */
  preload(count: number, run: string): Promise<{ config: object; cleanUp(): Promise<void> }>;
}

/**
 * Per kind: `messages` JSON messages waiting upstream, then a source of that kind is defined and the
 * clock runs until all of them are events acknowledged by Flint's Kafka (the events topic's end
 * offset). Events/s is messages over that time; the publish latency is the subscriber's own
 * histogram of a batch from being taken to being ready to acknowledge upstream (Kafka acked), read as
 * bucket bounds from /metrics. The upstream servers are this machine's (Redis 6379, NATS 4222,
 * RabbitMQ 5672); a kind whose server is not there is skipped.
 */
export async function subscriberThroughput(
  broker: Broker,
  log: (line: string) => void,
  options: SubscriberBenchOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const run = `bench-sub-${Date.now()}`;
  const { env, topics, kafka, database } = await createScratchService(run, broker, {
    FLINT_SUBSCRIBER_PORT: '0',
    FLINT_SECRET_BENCH_RABBITMQ_PASSWORD: 'guest',
  });
  const producer = new EventProducer(kafka);
  const service = await startService('subscriber', (r) => SubscriberModule.forRuntime(r), {
    env,
    handleSignals: false,
    logger: false,
  });
  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = { messages: options.messages };
  try {
    for (const kind of kindsUnderTest(kafka, broker)) {
      log(`subscriber: ${kind.kind}, ${options.messages} messages`);
      let prepared: Awaited<ReturnType<KindUnderTest['preload']>>;
      try {
        prepared = await kind.preload(options.messages, run);
      } catch (err) {
        log(`subscriber: ${kind.kind} skipped: ${(err as Error).message}`);
        details[kind.kind] = { skipped: (err as Error).message };
        continue;
      }
      try {
        const before = await endOffset(kafka, topics.events);
        const sourceId = `${run}-${kind.kind}`;
        await publish(producer, topics.triggers, {
          kind: 'source',
          id: sourceId,
          owner: 'bench',
          enabled: true,
          version: 1,
          updatedAt: new Date().toISOString(),
          provider: kind.kind,
          config: prepared.config,
        } as unknown as StoredDefinition);
        // The clock starts at the first event: connecting (a consumer group's join) is not throughput.
        const first = await waitForOffset(kafka, topics.events, before + 1, options.timeoutMs);
        const started = Date.now();
        const done = await waitForOffset(
          kafka,
          topics.events,
          before + options.messages,
          options.timeoutMs,
        );
        const seconds = (Date.now() - started) / 1000;
        const published = done - first;
        const rate = round(published / seconds, 0);
        const latency = histogramQuantiles(
          await (await fetch(`${service.url}/metrics`)).text(),
          kind.kind,
        );
        details[kind.kind] = { published, seconds, latency };
        measurements.push(
          {
            scenario: 'subscriber',
            metric: `${kind.kind}: events/s upstream → Flint's Kafka (acked)`,
            value: rate,
            unit: 'events/s',
            goal: `≥ ${RATE_GOAL}`,
            met: rate >= RATE_GOAL,
            note: `${published} messages in ${round(seconds)} s after the first event; all ${options.messages} were waiting upstream`,
          },
          {
            scenario: 'subscriber',
            metric: `${kind.kind}: publish latency p50 (taken → ready to ack)`,
            value: latency.p50 * 1000,
            unit: 'ms (bucket bound)',
          },
          {
            scenario: 'subscriber',
            metric: `${kind.kind}: publish latency p99 (taken → ready to ack)`,
            value: latency.p99 * 1000,
            unit: 'ms (bucket bound)',
          },
        );
        await publish(producer, topics.triggers, null, `source:${sourceId}`);
      } finally {
        await prepared.cleanUp();
      }
    }
  } finally {
    await service.stop();
    await producer.disconnect();
    await database.drop();
  }
  return { name: 'subscriber', durationMs: Date.now() - began, measurements, details };
}

function kindsUnderTest(kafka: Kafka, broker: Broker): KindUnderTest[] {
  const json = (i: number) => JSON.stringify({ n: i, at: Date.now() });
  return [
    {
      kind: 'kafka',
      async preload(count, run) {
        const topic = `${run}.upstream`;
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
        const producer = kafka.producer();
        await producer.connect();
        for (let i = 0; i < count; i += 1000) {
          const size = Math.min(1000, count - i);
          await producer.send({
            topic,
            messages: Array.from({ length: size }, (_, j) => ({ value: json(i + j) })),
          });
        }
        await producer.disconnect();
        return {
          config: { brokers: broker.brokers.split(','), topics: [topic], startFrom: 'earliest' },
          cleanUp: async () => {
            await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
            await admin.disconnect();
          },
        };
      },
    },
    {
      kind: 'redis-stream',
      async preload(count, run) {
        const redis = new Redis(6379, '127.0.0.1', {
          lazyConnect: true,
          retryStrategy: () => null,
          connectTimeout: 2000,
        });
        await redis.connect();
        const stream = `${run}-stream`;
        for (let i = 0; i < count; i += 1000) {
          const pipeline = redis.pipeline();
          for (let j = i; j < Math.min(count, i + 1000); j++)
            pipeline.xadd(stream, '*', 'payload', json(j));
          await pipeline.exec();
        }
        return {
          config: {
            url: 'redis://127.0.0.1:6379',
            stream,
            startFrom: 'earliest',
            payloadField: 'payload',
            batchSize: 500,
          },
          cleanUp: async () => {
            await redis.del(stream);
            redis.disconnect();
          },
        };
      },
    },
    {
      kind: 'nats',
      async preload(count, run) {
        const nc = await connectNats({ servers: 'nats://127.0.0.1:4222', timeout: 2000 });
        const jsm = await nc.jetstreamManager();
        const stream = run.replace(/-/g, '_').toUpperCase();
        const subject = `${run}.events`;
        await jsm.streams.add({ name: stream, subjects: [subject] });
        const js = nc.jetstream();
        const codec = StringCodec();
        for (let i = 0; i < count; i += 500) {
          await Promise.all(
            Array.from({ length: Math.min(500, count - i) }, (_, j) =>
              js.publish(subject, codec.encode(json(i + j))),
            ),
          );
        }
        return {
          config: {
            servers: ['nats://127.0.0.1:4222'],
            subject,
            jetstream: { stream, startFrom: 'earliest' },
            maxInFlight: 256,
          },
          cleanUp: async () => {
            await jsm.streams.delete(stream).catch(() => undefined);
            await nc.close();
          },
        };
      },
    },
    {
      kind: 'rabbitmq',
      async preload(count, run) {
        const connection = await connectAmqp('amqp://guest:guest@127.0.0.1:5672', {
          timeout: 2000,
        });
        const channel = await connection.createConfirmChannel();
        const queue = `${run}-queue`;
        await channel.assertQueue(queue, { durable: false });
        for (let i = 0; i < count; i++) channel.sendToQueue(queue, Buffer.from(json(i)));
        await channel.waitForConfirms();
        return {
          config: {
            url: 'amqp://127.0.0.1:5672',
            username: 'guest',
            password: { secretRef: 'bench-rabbitmq-password' },
            queue,
            prefetch: 256,
          },
          cleanUp: async () => {
            await channel.deleteQueue(queue).catch(() => undefined);
            await connection.close();
          },
        };
      },
    },
  ];
}

async function publish(
  producer: EventProducer,
  topic: string,
  definition: StoredDefinition | null,
  key = definition ? `source:${definition.id}` : '',
): Promise<void> {
  await producer.send(topic, [{ key, value: definition ? JSON.stringify(definition) : null }]);
}

async function endOffset(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Polls the topic's end offset until it reaches `target` or time runs out; returns the last seen. */
async function waitForOffset(
  kafka: Kafka,
  topic: string,
  target: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let offset = await endOffset(kafka, topic);
  while (offset < target && Date.now() < deadline) {
    await sleep(100);
    offset = await endOffset(kafka, topic);
  }
  return offset;
}

/** p50 and p99 of `flint_source_ack_latency_seconds{provider}` as the upper bounds of their buckets. */
function histogramQuantiles(metrics: string, provider: string): { p50: number; p99: number } {
  const buckets: Array<{ le: number; count: number }> = [];
  const pattern = /^flint_source_ack_latency_seconds_bucket\{([^}]*)\} (\d+)/gm;
  for (const [, labels, count] of metrics.matchAll(pattern)) {
    if (!labels.includes(`provider="${provider}"`)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    buckets.push({
      le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
      count: Number(count),
    });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  const quantile = (q: number) =>
    buckets.find((bucket) => bucket.count >= q * total)?.le ?? Number.NaN;
  return { p50: quantile(0.5), p99: quantile(0.99) };
}
