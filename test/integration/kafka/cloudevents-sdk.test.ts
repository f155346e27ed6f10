import { EventProducer } from '@flint/kafka';
import { type CloudEventV1, Kafka as CloudEventsKafka, type KafkaMessage } from 'cloudevents';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import { createTestTopic, readMessages } from '../../support/kafka';
import { testEvent } from './fixtures/events';

/**
 * Any CloudEvents-aware consumer can read Flint's topics: an event Flint publishes decodes with the
 * official CloudEvents SDK's Kafka binding (binary mode), attributes, extensions, key and data intact.
 */
describe('Flint events read with the CloudEvents SDK', () => {
  let kafka: Kafka;
  let producer: EventProducer;

  beforeAll(async () => {
    kafka = kafkaForTest();
    producer = new EventProducer(kafka);
    await producer.connect();
  });

  afterAll(() => producer.disconnect());

  it('decodes every attribute, the partitionkey (the Kafka key) and the data', async () => {
    const topic = await createTestTopic(kafka, 'sdk-read');
    const event = testEvent(1, {
      subject: 'refs/heads/main',
      data: { ref: 'refs/heads/main', commits: [{ id: 'a1', message: 'ünïcödé ✓' }] },
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    await producer.publishEvent(topic, event);

    const [message] = await readMessages(kafka, topic, 1);
    const headers = Object.fromEntries(
      Object.entries(message!.headers).map(([name, value]) => [name, String(value)]),
    );
    // A consumer reads the key as text, as the binding's key mapping to partitionkey expects.
    const kafkaMessage: KafkaMessage<Buffer> = {
      key: message!.key!.toString(),
      value: message!.value!,
      body: message!.value!,
      headers,
    };
    const decoded = CloudEventsKafka.toEvent(kafkaMessage);
    const sdkEvent = (Array.isArray(decoded) ? decoded[0] : decoded) as CloudEventV1<unknown> & {
      validate(): boolean;
    };

    expect(sdkEvent.validate()).toBe(true);
    expect(sdkEvent).toMatchObject({
      specversion: '1.0',
      id: event.id,
      source: event.source,
      type: event.type,
      subject: event.subject,
      time: event.time,
      datacontenttype: 'application/json',
      flintsourceid: event.flintsourceid,
      flintprovider: event.flintprovider,
      flintacceptedat: event.flintacceptedat,
      partitionkey: event.flintsourceid,
      data: event.data,
    });
    expect(message!.key!.toString()).toBe(event.flintsourceid);
  });
});
