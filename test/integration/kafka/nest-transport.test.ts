import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type CloudEvent, DLQ_HEADERS } from '@flint/contracts';
import {
  BatchConsumer,
  type Decoded,
  encodeCloudEvent,
  EventProducer,
  FlintKafkaContext,
  FlintKafkaServer,
  type OutgoingRecord,
} from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import {
  committedOffsets,
  createTestTopic,
  quietLog,
  readMessages,
  uniqueName,
  waitFor,
} from '../../support/kafka';
import { testEvent } from './fixtures/events';

const OUTPUT_TOPIC = uniqueName('nest-out');
const seen: { topic: string; partition: number; ids: string[] }[] = [];

@Controller()
class EventsController {
  @EventPattern('events')
  async onEvents(
    @Payload() batch: Decoded<CloudEvent>[],
    @Ctx() ctx: FlintKafkaContext,
  ): Promise<OutgoingRecord[]> {
    seen.push({
      topic: ctx.getTopic(),
      partition: ctx.getPartition(),
      ids: batch.map((item) => item.value.id),
    });
    return batch.map((item) => ({
      topic: OUTPUT_TOPIC,
      key: item.value.flintsourceid,
      value: JSON.stringify({ handled: item.value.id }),
    }));
  }
}

@Module({ controllers: [EventsController] })
class EventsModule {}

describe('FlintKafkaServer as a Nest transport', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let app: INestMicroservice | undefined;

  beforeAll(async () => {
    kafka = kafkaForTest();
    producer = new EventProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
  });

  it('feeds @EventPattern handlers whole batches and produces what they return before committing', async () => {
    const [input, dlq] = await Promise.all([
      createTestTopic(kafka, 'nest-in'),
      createTestTopic(kafka, 'nest-dlq'),
      // The controller's output topic is fixed when the class is declared.
      createTestTopic(kafka, 'nest-out', { name: OUTPUT_TOPIC }),
    ]);

    await producer.send(input!, [
      encodeCloudEvent(testEvent(1)),
      { key: 'junk', value: 'not json', headers: {} },
      encodeCloudEvent(testEvent(2)),
    ]);

    const groupId = uniqueName('nest-group');
    const server = new FlintKafkaServer({
      kafka,
      producer,
      groupId,
      dlqTopic: dlq!,
      topicNames: { events: input! },
      log: quietLog,
    });
    const statuses: string[] = [];
    server.status.subscribe((status) => statuses.push(status));
    app = await NestFactory.createMicroservice(EventsModule, { strategy: server, logger: false });
    await app.listen();
    await server.listening;
    expect(server.unwrap<BatchConsumer<unknown>>()).toBeInstanceOf(BatchConsumer);

    const outputs = await readMessages(kafka, OUTPUT_TOPIC, 2);
    expect(outputs.map((m) => JSON.parse(m.value!.toString()).handled)).toEqual([
      'delivery-1',
      'delivery-2',
    ]);
    expect(seen).toEqual([{ topic: input, partition: 0, ids: ['delivery-1', 'delivery-2'] }]);

    const [deadLetter] = await readMessages(kafka, dlq!, 1);
    expect(deadLetter!.value?.toString()).toBe('not json');
    expect(deadLetter!.headers[DLQ_HEADERS.reason]).toBe('undecodable');

    await waitFor(async () => (await committedOffsets(kafka, groupId, input!)).get(0) === 3, {
      description: 'the commit after the output was produced',
    });

    await app.close();
    app = undefined;
    expect(statuses).toEqual(['connected', 'disconnected']);
    expect(() => server.unwrap()).toThrow('FlintKafkaServer is not listening');
  });
});
