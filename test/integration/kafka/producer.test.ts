import type { EventProducer } from '@flint/kafka';
import type { ServiceRuntime } from '@flint/service-kit';
import { createTestTopic, readMessages } from '../../support/kafka';
import { openEvaluatorProducer, produceRequests } from './fixtures/evaluator-producer';

const record = (topic: string, key: string, value: string) => ({
  topic,
  key,
  value,
  headers: {},
});

describe('EventProducer against a real broker', () => {
  let runtime: ServiceRuntime;
  let producer: EventProducer;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ runtime, producer, close } = await openEvaluatorProducer());
  });

  afterAll(() => close?.());

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
