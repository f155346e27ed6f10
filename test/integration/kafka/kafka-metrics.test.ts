import { type CloudEvent, DLQ_HEADERS } from '@flint/contracts';
import {
  BatchConsumer,
  decodeCloudEvent,
  encodeCloudEvent,
  type EventProducer,
  KafkaMetrics,
} from '@flint/kafka';
import type { ServiceRuntime } from '@flint/service-kit';
import {
  committedOffsets,
  createTestTopic,
  quietLog,
  readMessages,
  uniqueName,
  waitFor,
} from '../../support/kafka';
import { echoHandler } from './fixtures/echo-handler';
import {
  metricSample,
  openEvaluatorProducer,
  produceRequests,
} from './fixtures/evaluator-producer';
import { testEvent } from './fixtures/events';

describe('Kafka metrics of a service against a real broker', () => {
  let runtime: ServiceRuntime;
  let producer: EventProducer;
  let close: (() => Promise<void>) | undefined;
  const consumers: BatchConsumer<unknown>[] = [];

  beforeAll(async () => {
    ({ runtime, producer, close } = await openEvaluatorProducer());
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await close?.();
  });

  it('are attached to the Kafka client of every service runtime', () => {
    expect(KafkaMetrics.of(runtime.kafka)).toBeDefined();
  });

  it('report produce latency, lag while a batch is in flight, and dead letters by reason', async () => {
    const [input, output, dlq] = await Promise.all([
      createTestTopic(runtime.kafka, 'metrics-in'),
      createTestTopic(runtime.kafka, 'metrics-out'),
      createTestTopic(runtime.kafka, 'metrics-dlq'),
    ]);
    const poison = { key: 'poison', value: Buffer.from('not json at all') };
    const wrongProvider = {
      ...encodeCloudEvent(testEvent(6)),
      headers: { ...encodeCloudEvent(testEvent(6)).headers, ce_flintprovider: 'Fax Machine' },
    };
    const good = [1, 2, 3, 4, 5].map((n) => encodeCloudEvent(testEvent(n)));
    await producer.send(input, [poison, ...good, wrongProvider]);
    expect(await produceRequests(runtime, input)).toBe(1);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const groupId = uniqueName('metrics-group');
    const echo = echoHandler(output);
    const consumer = new BatchConsumer<CloudEvent>({
      kafka: runtime.kafka,
      groupId,
      topics: [input],
      producer,
      dlqTopic: dlq,
      decode: decodeCloudEvent,
      handle: async (items) => {
        await released;
        return echo(items);
      },
      log: quietLog,
    });
    consumers.push(consumer as BatchConsumer<unknown>);
    await consumer.start();

    // The first batch starts at offset 0 and is held: all seven messages are still to be processed.
    await waitFor(
      async () =>
        (await metricSample(runtime, 'flint_kafka_consumer_lag', {
          topic: input,
          partition: '0',
        })) === 7,
      { description: 'a lag of 7 while the first batch is in flight' },
    );
    release();
    await waitFor(
      async () => (await committedOffsets(runtime.kafka, groupId, input)).get(0) === 7,
      {
        description: 'the group to commit past all seven messages',
      },
    );
    await waitFor(
      async () =>
        (await metricSample(runtime, 'flint_kafka_consumer_lag', {
          topic: input,
          partition: '0',
        })) === 0,
      { description: 'no lag once everything is committed' },
    );
    expect(await readMessages(runtime.kafka, output, 5)).toHaveLength(5);

    expect(
      await metricSample(runtime, 'flint_dlq_messages_total', {
        topic: dlq,
        reason: 'undecodable',
      }),
    ).toBe(1);
    expect(
      await metricSample(runtime, 'flint_dlq_messages_total', { topic: dlq, reason: 'invalid' }),
    ).toBe(1);
    expect(await produceRequests(runtime, dlq)).toBeGreaterThanOrEqual(1);
    expect(await produceRequests(runtime, output)).toBeGreaterThanOrEqual(1);

    // The runner's dead letters (a run that failed for good) go out as records through the producer.
    await producer.sendRecords([
      {
        topic: dlq,
        key: 'run-1',
        value: '{}',
        headers: {
          [DLQ_HEADERS.reason]: 'processing-failed',
          [DLQ_HEADERS.sourceTopic]: input,
          [DLQ_HEADERS.sourcePartition]: '0',
          [DLQ_HEADERS.sourceOffset]: '1',
        },
      },
    ]);
    expect(
      await metricSample(runtime, 'flint_dlq_messages_total', {
        topic: dlq,
        reason: 'processing-failed',
      }),
    ).toBe(1);

    const text = await runtime.registry.getSingleMetricAsString('flint_dlq_messages_total');
    expect(text).toContain('# HELP flint_dlq_messages_total ');
    expect(text).toContain(
      `flint_dlq_messages_total{topic="${dlq}",reason="undecodable",service="evaluator"} 1`,
    );
    const lag = await runtime.registry.getSingleMetricAsString('flint_kafka_consumer_lag');
    expect(lag).toContain(
      `flint_kafka_consumer_lag{topic="${input}",partition="0",service="evaluator"} 0`,
    );
  });
});
