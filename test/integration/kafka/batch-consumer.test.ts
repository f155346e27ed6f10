import { type CloudEvent, DLQ_HEADERS, DlqHeadersSchema } from '@flint/contracts';
import { BatchConsumer, decodeCloudEvent, encodeCloudEvent, EventProducer } from '@flint/kafka';
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
import { echoHandler } from './fixtures/echo-handler';
import { testEvent } from './fixtures/events';

describe('BatchConsumer against a real broker', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  const consumers: BatchConsumer<unknown>[] = [];

  beforeAll(async () => {
    kafka = kafkaForTest();
    producer = new EventProducer(kafka);
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  async function topics(prefix: string) {
    const [input, output, dlq] = await Promise.all([
      createTestTopic(kafka, `${prefix}-in`),
      createTestTopic(kafka, `${prefix}-out`),
      createTestTopic(kafka, `${prefix}-dlq`),
    ]);
    return { input: input!, output: output!, dlq: dlq! };
  }

  it('sends malformed messages to the DLQ with the reason and the original bytes, and goes on', async () => {
    const t = await topics('dlq');
    const good1 = encodeCloudEvent(testEvent(1));
    const badJson = {
      ...encodeCloudEvent(testEvent(2)),
      value: Buffer.from('{"n": 2,, }'),
    };
    const notACloudEvent = {
      key: 'plain',
      value: Buffer.from('{"hello":"world"}'),
      headers: { 'x-origin': 'someone-else' },
    };
    const badProvider = {
      ...encodeCloudEvent(testEvent(3)),
      headers: { ...encodeCloudEvent(testEvent(3)).headers, ce_flintprovider: 'Fax Machine' },
    };
    const good2 = encodeCloudEvent(testEvent(4));
    await producer.send(t.input, [good1, badJson, notACloudEvent, badProvider, good2]);

    const groupId = uniqueName('dlq-group');
    const consumer = new BatchConsumer<CloudEvent>({
      kafka,
      groupId,
      topics: [t.input],
      producer,
      dlqTopic: t.dlq,
      decode: decodeCloudEvent,
      handle: echoHandler(t.output),
      log: quietLog,
    });
    consumers.push(consumer as BatchConsumer<unknown>);
    await consumer.start();

    const outputs = await readMessages(kafka, t.output, 2);
    expect(outputs.map((m) => JSON.parse(m.value!.toString()).id)).toEqual([
      'delivery-1',
      'delivery-4',
    ]);

    const deadLetters = await readMessages(kafka, t.dlq, 3);
    expect(deadLetters).toHaveLength(3);
    const [json, plain, provider] = deadLetters;

    expect(json!.value).toEqual(Buffer.from('{"n": 2,, }'));
    expect(json!.key?.toString()).toBe(badJson.key);
    expect(json!.headers).toMatchObject(badJson.headers);
    expect(json!.headers[DLQ_HEADERS.reason]).toBe('undecodable');
    expect(json!.headers[DLQ_HEADERS.error]).toMatch(
      /^value \(content-type application\/json\) is not valid JSON: .*position 8/,
    );
    expect(json!.headers).toMatchObject({
      [DLQ_HEADERS.sourceTopic]: t.input,
      [DLQ_HEADERS.sourcePartition]: '0',
      [DLQ_HEADERS.sourceOffset]: '1',
    });
    expect(DlqHeadersSchema.safeParse(json!.headers).success).toBe(true);

    expect(plain!.value).toEqual(notACloudEvent.value);
    expect(plain!.key?.toString()).toBe('plain');
    expect(plain!.headers['x-origin']).toBe('someone-else');
    expect(plain!.headers[DLQ_HEADERS.reason]).toBe('undecodable');
    expect(plain!.headers[DLQ_HEADERS.error]).toContain('missing headers ce_specversion, ce_id');
    expect(plain!.headers[DLQ_HEADERS.sourceOffset]).toBe('2');

    expect(provider!.headers[DLQ_HEADERS.reason]).toBe('invalid');
    expect(provider!.headers[DLQ_HEADERS.error]).toContain('header ce_flintprovider:');
    expect(provider!.headers[DLQ_HEADERS.sourceOffset]).toBe('3');

    await waitFor(async () => (await committedOffsets(kafka, groupId, t.input)).get(0) === 5, {
      description: 'the group to commit past all five messages',
    });
  });

  it('dead-letters the messages a handler fails on for reasons of their own, and all the others go through', async () => {
    const t = await topics('handler-poison');
    await producer.publishEvents(
      t.input,
      Array.from({ length: 20 }, (_, index) => testEvent(index + 1)),
    );
    const groupId = uniqueName('handler-poison-group');
    const consumer = new BatchConsumer<CloudEvent>({
      kafka,
      groupId,
      topics: [t.input],
      producer,
      dlqTopic: t.dlq,
      decode: decodeCloudEvent,
      handle: async (items) => {
        const output = await echoHandler(t.output)(items);
        for (const { value } of items) {
          if (value.id === 'delivery-4') throw new RangeError('Maximum call stack size exceeded');
          if (value.id === 'delivery-15')
            throw new TypeError('Cannot read properties of undefined');
        }
        // One output record larger than the broker takes: refused, never retried.
        return output.map((record) =>
          record.key === 'delivery-9' ? { ...record, value: 'x'.repeat(2 * 1024 * 1024) } : record,
        );
      },
      log: quietLog,
    });
    consumers.push(consumer as BatchConsumer<unknown>);
    await consumer.start();

    const outputs = await readMessages(kafka, t.output, 17);
    const expected = Array.from({ length: 20 }, (_, index) => `delivery-${index + 1}`).filter(
      (id) => !['delivery-4', 'delivery-9', 'delivery-15'].includes(id),
    );
    expect(outputs.map((m) => JSON.parse(m.value!.toString()).id)).toEqual(expected);
    const deadLetters = await readMessages(kafka, t.dlq, 3);
    expect(deadLetters.map((m) => m.headers[DLQ_HEADERS.sourceOffset])).toEqual(['3', '8', '14']);
    expect(deadLetters.map((m) => m.headers[DLQ_HEADERS.reason])).toEqual([
      'processing-failed',
      'processing-failed',
      'processing-failed',
    ]);
    expect(deadLetters[0]!.headers[DLQ_HEADERS.error]).toContain('Maximum call stack size');
    expect(deadLetters[1]!.headers[DLQ_HEADERS.error]).toContain(
      'larger than the max message size',
    );
    expect(deadLetters[2]!.headers[DLQ_HEADERS.error]).toContain('Cannot read properties');
    expect(decodeCloudEvent(deadLetters[0]!).id).toBe('delivery-4');
    await waitFor(async () => (await committedOffsets(kafka, groupId, t.input)).get(0) === 20, {
      description: 'the group to commit past all twenty messages',
    });
  });

  it('retries a failing handler without committing, then produces and commits', async () => {
    const t = await topics('retry');
    await producer.publishEvents(t.input, [testEvent(1), testEvent(2)]);
    const groupId = uniqueName('retry-group');
    let failuresLeft = 2;
    let committedWhileFailing: number | undefined;
    const consumer = new BatchConsumer<CloudEvent>({
      kafka,
      groupId,
      topics: [t.input],
      producer,
      dlqTopic: t.dlq,
      decode: decodeCloudEvent,
      handle: async (items) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          committedWhileFailing = (await committedOffsets(kafka, groupId, t.input)).get(0);
          throw Object.assign(new Error('the database is down'), { code: 'ECONNREFUSED' });
        }
        return echoHandler(t.output)(items);
      },
      retry: { attempts: 5, initialMs: 50, maxMs: 200 },
      log: quietLog,
    });
    consumers.push(consumer as BatchConsumer<unknown>);
    await consumer.start();

    const outputs = await readMessages(kafka, t.output, 2);
    expect(outputs.map((m) => JSON.parse(m.value!.toString()).id)).toEqual([
      'delivery-1',
      'delivery-2',
    ]);
    expect(failuresLeft).toBe(0);
    expect(committedWhileFailing).toBe(-1);
    await waitFor(async () => (await committedOffsets(kafka, groupId, t.input)).get(0) === 2, {
      description: 'the commit after the retried batch',
    });
  });

  it('drains on stop: the batch in flight is produced and committed before it returns', async () => {
    const t = await topics('drain');
    await producer.publishEvents(t.input, [testEvent(1), testEvent(2), testEvent(3)]);
    const groupId = uniqueName('drain-group');
    let handlerEntered!: () => void;
    const entered = new Promise<void>((resolve) => (handlerEntered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const consumer = new BatchConsumer<CloudEvent>({
      kafka,
      groupId,
      topics: [t.input],
      producer,
      dlqTopic: t.dlq,
      decode: decodeCloudEvent,
      handle: async (items) => {
        handlerEntered();
        await released;
        return echoHandler(t.output)(items);
      },
      log: quietLog,
    });
    await consumer.start();
    await entered;

    const stopping = consumer.stop();
    release();
    await stopping;

    expect((await committedOffsets(kafka, groupId, t.input)).get(0)).toBe(3);
    const outputs = await readMessages(kafka, t.output, 3);
    expect(outputs.map((m) => JSON.parse(m.value!.toString()).id)).toEqual([
      'delivery-1',
      'delivery-2',
      'delivery-3',
    ]);
  });
});
