import { join } from 'node:path';
import type { CloudEvent } from '@flint/contracts';
import { BatchConsumer, decodeCloudEvent, EventProducer } from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import {
  committedOffsets,
  createTestTopic,
  endOffsets,
  quietLog,
  readAllMessages,
  uniqueName,
  waitFor,
} from '../../support/kafka';
import { type EchoOutput, echoHandler } from './fixtures/echo-handler';
import { testEvent } from './fixtures/events';
import { runTsFixture } from '../../support/ts-child-process';

const CRASHING_CONSUMER = join(__dirname, 'fixtures', 'crashing-consumer.ts');

describe('a consumer killed after producing but before committing', () => {
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

  it('replays the batch on restart and skips nothing', async () => {
    const [input, output, dlq] = await Promise.all([
      createTestTopic(kafka, 'crash-in', { partitions: 2 }),
      createTestTopic(kafka, 'crash-out'),
      createTestTopic(kafka, 'crash-dlq'),
    ]);
    const groupId = uniqueName('crash-group');
    const events = Array.from({ length: 40 }, (_, i) => testEvent(i));
    await producer.publishEvents(input!, events);
    const inputEnds = await endOffsets(kafka, input!);
    expect([...inputEnds.values()].every((end) => end > 0)).toBe(true);

    const crash = await runTsFixture(
      CRASHING_CONSUMER,
      {
        ...process.env,
        INPUT_TOPIC: input!,
        OUTPUT_TOPIC: output!,
        DLQ_TOPIC: dlq!,
        GROUP_ID: groupId,
      },
      'the crashing consumer never crashed',
    );
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    expect(crash.output).toContain('crashing before the commit');

    // The output of the crashed batch is in Kafka, yet the group has committed nothing.
    const beforeRestart = await readAllMessages(kafka, output!);
    expect(beforeRestart.length).toBeGreaterThan(0);
    const crashedBatch = beforeRestart.map((m) => JSON.parse(m.value!.toString()) as EchoOutput);
    const committedAtCrash = await committedOffsets(kafka, groupId, input!);
    expect([...committedAtCrash.values()].every((offset) => offset === -1)).toBe(true);

    const processed: EchoOutput[] = [];
    const handle = echoHandler(output!);
    const restarted = new BatchConsumer<CloudEvent>({
      kafka,
      groupId,
      topics: [input!],
      producer,
      dlqTopic: dlq!,
      decode: decodeCloudEvent,
      handle: async (items) => {
        const records = await handle(items);
        processed.push(...records.map((r) => JSON.parse(String(r.value)) as EchoOutput));
        return records;
      },
      log: quietLog,
    });
    await restarted.start();
    try {
      await waitFor(
        async () => {
          const committed = await committedOffsets(kafka, groupId, input!);
          return [...inputEnds].every(([partition, end]) => committed.get(partition) === end);
        },
        { timeoutMs: 90_000, description: 'the restarted consumer to commit every input offset' },
      );
    } finally {
      await restarted.stop();
    }

    // Every input offset was processed at least once and has its output in Kafka.
    const key = (o: { partition: number; offset: string }) => `${o.partition}:${o.offset}`;
    const allInputs = [...inputEnds].flatMap(([partition, end]) =>
      Array.from({ length: end }, (_, offset) => `${partition}:${offset}`),
    );
    const outputs = (await readAllMessages(kafka, output!)).map(
      (m) => JSON.parse(m.value!.toString()) as EchoOutput,
    );
    expect(new Set(outputs.map(key))).toEqual(new Set(allInputs));
    expect(new Set(outputs.map((o) => o.id))).toEqual(new Set(events.map((e) => e.id)));

    // The batch whose commit was lost was replayed, not skipped.
    const replayed = new Set(processed.map(key));
    for (const item of crashedBatch) expect(replayed.has(key(item))).toBe(true);
  });
});
