import { Controller, type INestMicroservice, Module, UseFilters } from '@nestjs/common';
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
  KafkaHandlerErrorFilter,
  type OutgoingRecord,
} from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import {
  committedOffsets,
  createTestTopic,
  endOffsets,
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

/**
 * Fails its first batch as node-postgres does while the database restarts, then succeeds. Filtered as
 * the services' consumers are: without the filter Nest hands the transport { status: 'error', message:
 * 'Internal server error' }, which is no outage, and the message is dead-lettered.
 */
const flakyCalls: string[][] = [];

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
class OutageController {
  @EventPattern('flaky')
  async onEvents(@Payload() batch: Decoded<CloudEvent>[]): Promise<OutgoingRecord[]> {
    flakyCalls.push(batch.map((item) => item.value.id));
    if (flakyCalls.length === 1) {
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    }
    return [];
  }
}

@Module({ controllers: [OutageController] })
class OutageModule {}

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

  it('retries a batch whose handler failed on an outage instead of dead-lettering it', async () => {
    const [input, dlq] = await Promise.all([
      createTestTopic(kafka, 'nest-flaky'),
      createTestTopic(kafka, 'nest-flaky-dlq'),
    ]);
    await producer.send(input!, [encodeCloudEvent(testEvent(1))]);
    const groupId = uniqueName('nest-flaky-group');
    const server = new FlintKafkaServer({
      kafka,
      producer,
      groupId,
      dlqTopic: dlq!,
      topicNames: { flaky: input! },
      retry: { initialMs: 50, maxMs: 50 },
      log: quietLog,
    });
    app = await NestFactory.createMicroservice(OutageModule, { strategy: server, logger: false });
    await app.listen();
    await server.listening;

    await waitFor(async () => (await committedOffsets(kafka, groupId, input!)).get(0) === 1, {
      description: 'the commit of the batch after its retry succeeded',
    });
    expect(flakyCalls).toEqual([['delivery-1'], ['delivery-1']]);
    expect((await endOffsets(kafka, dlq!)).get(0)).toBe(0);
    await app.close();
    app = undefined;
  });
});
