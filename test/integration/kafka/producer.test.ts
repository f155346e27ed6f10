import { EventProducer } from '@flint/kafka';
import { openServiceRuntime, type ServiceRuntime } from '@flint/service-kit';
import { createTestTopic, readMessages } from '../../support/kafka';

/** How many produce requests the runtime's producers made to a topic, from its metrics. */
async function produceRequests(runtime: ServiceRuntime, topic: string): Promise<number> {
  const metric = runtime.registry.getSingleMetric('flint_kafka_produce_duration_seconds');
  if (metric === undefined)
    throw new Error('flint_kafka_produce_duration_seconds is not registered');
  const { values } = await metric.get();
  const count = values.find(
    (v) =>
      'metricName' in v &&
      v.metricName === 'flint_kafka_produce_duration_seconds_count' &&
      v.labels.topic === topic,
  );
  return count?.value ?? 0;
}

const record = (topic: string, key: string, value: string) => ({
  topic,
  key,
  value,
  headers: {},
});

describe('EventProducer against a real broker', () => {
  let runtime: ServiceRuntime;
  let producer: EventProducer;

  beforeAll(async () => {
    runtime = await openServiceRuntime('evaluator', {
      env: { ...process.env, FLINT_LOG_LEVEL: 'error' },
    });
    producer = new EventProducer(runtime.kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await runtime?.close();
  });

  it('sends the calls made while a request is in flight together in the next request', async () => {
    const topic = await createTestTopic(runtime.kafka, 'producer-together', { partitions: 3 });
    const calls = Array.from({ length: 20 }, (_, n) =>
      producer.sendRecords([record(topic, `k${n}`, `v${n}`)]),
    );
    await Promise.all(calls);

    // The first goes at once; the other 19 wait for it and go in one request (one at a time: 20).
    expect(await produceRequests(runtime, topic)).toBe(2);
    const read = await readMessages(runtime.kafka, topic, 20);
    expect(read.map((m) => m.value?.toString()).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `v${n}`).sort(),
    );
  });

  it('fails only the call whose record the broker refuses, not those that went with it', async () => {
    const topic = await createTestTopic(runtime.kafka, 'producer-refused', {
      partitions: 1,
      config: { 'max.message.bytes': '2000' },
    });
    const first = producer.sendRecords([record(topic, 'first', 'first')]);
    // Made while the first is in flight, so they are gathered into one request, which the broker
    // refuses for the large record.
    const before = producer.sendRecords([record(topic, 'before', 'before')]);
    const large = producer.sendRecords([record(topic, 'large', 'x'.repeat(10_000))]);
    const after = producer.sendRecords([record(topic, 'after', 'after')]);

    await expect(first).resolves.toBeDefined();
    await expect(before).resolves.toBeDefined();
    await expect(large).rejects.toThrow(/larger than the max message size/);
    await expect(after).resolves.toBeDefined();
    const read = await readMessages(runtime.kafka, topic, 3);
    expect(read.map((m) => m.key?.toString()).sort()).toEqual(['after', 'before', 'first']);
  });
});
