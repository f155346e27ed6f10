import { decodeCloudEvent, EventProducer } from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import { createTestTopic, readMessages } from '../../support/kafka';
import { testEvent } from './fixtures/events';

describe('CloudEvents over a real topic', () => {
  let kafka: Kafka;
  let producer: EventProducer;

  beforeAll(async () => {
    kafka = kafkaForTest();
    producer = new EventProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('arrives with every attribute as a ce_ header, the trace context and the data intact', async () => {
    const topic = await createTestTopic(kafka, 'round-trip', { partitions: 3 });
    const event = testEvent(1, {
      subject: 'refs/heads/main',
      dataschema: 'https://example.com/push.json',
      data: { ref: 'refs/heads/main', commits: [{ id: 'a1', message: 'ünïcödé ✓' }] },
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });

    const [ack] = await producer.publishEvent(topic, event);
    expect(ack?.errorCode).toBe(0);

    const [message] = await readMessages(kafka, topic, 1);
    expect(message!.key?.toString()).toBe(event.flintsourceid);
    expect(message!.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: event.source,
      ce_type: event.type,
      ce_subject: event.subject,
      ce_time: event.time,
      ce_dataschema: event.dataschema,
      ce_flintsourceid: event.flintsourceid,
      ce_partitionkey: event.flintsourceid,
      ce_flintprovider: event.flintprovider,
      ce_flintacceptedat: event.flintacceptedat,
      traceparent: event.traceparent,
    });
    expect(JSON.parse(message!.value!.toString('utf8'))).toEqual(event.data);
    expect(decodeCloudEvent(message!)).toEqual(event);
  });

  it("keeps one source's events in order on one partition", async () => {
    const topic = await createTestTopic(kafka, 'ordering', { partitions: 3 });
    const events = Array.from({ length: 12 }, (_, i) => testEvent(i, { flintsourceid: 'one' }));
    await producer.publishEvents(topic, events);

    const messages = await readMessages(kafka, topic, events.length);
    expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    expect(messages.map((m) => decodeCloudEvent(m).id)).toEqual(events.map((e) => e.id));
  });
});
