import { CloudEvent as SdkCloudEvent, Kafka as KafkaBinding } from 'cloudevents';
import type { IHeaders } from 'kafkajs';
import { committedOffsets, createTestTopic, uniqueName, waitFor } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

/**
 * A Kafka topic source against the test broker: a second topic, written by "another producer", read
 * into Flint's pipeline and turned into runs.
 */
describe('subscriber: Kafka topic sources', () => {
  const bed = new SubscriberBed('sub-kafka');

  beforeAll(() => bed.setUp(), 120_000);
  afterAll(() => bed.tearDown(), 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  async function produce(
    topic: string,
    messages: Array<{ value: Buffer | string; headers?: IHeaders }>,
  ): Promise<void> {
    const producer = bed.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /** The SDK's Kafka binding leaves unset attributes as undefined headers, which kafkajs refuses. */
  function definedHeaders(headers: Record<string, unknown>): IHeaders {
    return Object.fromEntries(
      Object.entries(headers).filter(([, value]) => value !== undefined),
    ) as IHeaders;
  }

  function kafkaSource(id: string, topic: string) {
    return {
      id,
      provider: 'kafka',
      config: {
        brokers: process.env.KAFKA_BROKERS!.split(','),
        topics: [topic],
        startFrom: 'earliest',
        type: 'com.example.order',
      },
    };
  }

  it('starts a run per message, and takes a CloudEvent of the official SDK as it is', async () => {
    const topic = await createTestTopic(bed.kafka, 'upstream-orders');
    const sourceId = uniqueName('orders');
    const triggerId = await bed.define(kafkaSource(sourceId, topic));
    const foreign = new SdkCloudEvent({
      id: 'order-created-7',
      source: 'https://shop.example/orders',
      type: 'com.example.order.created',
      partitionkey: 'order-7',
      data: { order: 7 },
    });
    const binary = KafkaBinding.binary(foreign);
    const structured = KafkaBinding.structured(foreign);
    await produce(topic, [
      { value: JSON.stringify({ order: 6 }) },
      { value: JSON.stringify(binary.body), headers: definedHeaders(binary.headers) },
      { value: String(structured.body), headers: definedHeaders(structured.headers) },
    ]);
    await bed.startSubscriber();

    // The binary and the structured copy are one event (same id): one run between them.
    const runs = await bed.waitForSucceededRuns(
      triggerId,
      2,
      'a succeeded run for the plain message and one for the CloudEvent',
    );
    expect(runs.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { eventId: 'order-created-7', type: 'com.example.order.created', data: { order: 7 } },
        { eventId: `${topic}/0/0`, type: 'com.example.order', data: { order: 6 } },
      ]),
    );
    const events = await bed.waitForEvents(sourceId, 3);
    for (const event of events.filter((e) => e.id === 'order-created-7')) {
      expect(event).toMatchObject({
        source: 'https://shop.example/orders',
        partitionkey: 'order-7',
        flintprovider: 'kafka',
        flintsourceid: sourceId,
      });
    }
    await waitFor(
      async () => (await committedOffsets(bed.kafka, `flint-${sourceId}`, topic)).get(0) === 3,
      { description: 'the offsets committed after the events were acknowledged' },
    );
    const status = await bed.waitForConnection(sourceId, 'up', { withEvent: true });
    expect(status.lag).toBe(0);
    expect(await bed.metrics()).toContain(
      `flint_source_up{source="${sourceId}",provider="kafka",service="subscriber"} 1`,
    );
  });

  it('sends a bad message to flint.dlq with its bytes and reason, and the next one still flows', async () => {
    const topic = await createTestTopic(bed.kafka, 'upstream-orders');
    const sourceId = uniqueName('bad-orders');
    const triggerId = await bed.define(kafkaSource(sourceId, topic));
    await produce(topic, [{ value: 'this is not json' }, { value: JSON.stringify({ order: 8 }) }]);
    await bed.startSubscriber();

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('this is not json');
    expect(dead.key).toBe(sourceId);
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'kafka',
      flint_dlq_origin: `${topic}/0@0`,
    });
    expect(dead.headers.flint_dlq_error).toMatch(/not valid JSON/);
    const runs = await bed.waitForSucceededRuns(
      triggerId,
      1,
      'the good message after the bad one started its run',
    );
    expect(runs[0].input).toMatchObject({ data: { order: 8 } });
    expect(await bed.metrics()).toMatch(
      /flint_source_bad_messages_total\{provider="kafka",reason="undecodable",service="subscriber"\} 1/,
    );
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and offset commit', async () => {
    const topic = await createTestTopic(bed.kafka, 'upstream-orders');
    const sourceId = uniqueName('crash-orders');
    const triggerId = await bed.define(kafkaSource(sourceId, topic));
    await produce(topic, [{ value: JSON.stringify({ order: 9 }) }]);

    const committed = async () =>
      (await committedOffsets(bed.kafka, `flint-${sourceId}`, topic)).get(0) ?? -1;
    const [event] = await bed.expectOneRunAfterKill('kafka', sourceId, triggerId, async () => {
      expect(await committed()).toBe(-1);
    });
    expect(event.id).toBe(`${topic}/0/0`);
    await waitFor(async () => (await committed()) === 1, {
      description: 'the offset committed by the second subscriber',
    });
  });
});
