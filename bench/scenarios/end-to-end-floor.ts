import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { BatchConsumer, EventProducer, createKafka, kafkaConfigFromEnv } from '@flint/kafka';
import { startFloorServer } from '../support/child-process';
import { sendAtRate } from '../support/echo-load';
import { postJson } from '../support/http';
import { type Percentiles, percentiles } from '../support/stats';

export interface FloorWindow {
  accepted: number;
  consumed: number;
  /** Consumed per second, from the window's start to its last consumed message. */
  rate: number;
  /** Produced (the message's timestamp, set as the floor server sends it) → handed to the consumer. */
  latencyMs: Percentiles;
}

/**
 * The floor of `e2e` (issue 20): the webhook floor server (`webhook-floor-server.ts`: HTTP, then the
 * body produced with Flint's producer settings, 202 once acknowledged) in a process of its own, and
 * in this process Flint's own `BatchConsumer` whose handler does nothing: it only commits. The same
 * sender posts at the same rates. Nothing evaluates, claims or starts, so this is the least any
 * accept → consumed path on Node and kafkajs costs on this machine in the same run.
 */
export async function endToEndFloor(
  brokers: string,
  rates: readonly number[],
  windowMs: number,
): Promise<Map<number, FloorWindow>> {
  const kafka = createKafka(
    kafkaConfigFromEnv({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PARTITIONS: '' }, 'bench-e2e-floor'),
  );
  const topic = `bench-e2e-floor-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = new EventProducer(kafka);
  const consumed: { at: number; latency: number }[] = [];
  const consumer = new BatchConsumer<null>({
    kafka,
    groupId: `${topic}-group`,
    topics: [topic],
    producer,
    dlqTopic: topic,
    decode: () => null,
    handle: async (items) => {
      const now = Date.now();
      for (const { message } of items) {
        consumed.push({ at: now, latency: now - Number(message.timestamp) });
      }
      return [];
    },
    fromBeginning: false,
    // As the evaluator's and the runner's transports do.
    partitionsConsumedConcurrently: 3,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    await consumer.start();
    floor = await startFloorServer(brokers, topic);
    const url = new URL(`http://127.0.0.1:${floor.port}/hooks/demo`);
    // The consumer's group is joined and the server produces: one message round trip each.
    const deadline = Date.now() + 60_000;
    while (consumed.length === 0 && Date.now() < deadline) {
      await postJson(agent, url, '{"warmup":true}').catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const windows = new Map<number, FloorWindow>();
    for (const rate of rates) {
      consumed.length = 0;
      const start = Date.now();
      const sent = await sendAtRate(rate, windowMs, () => postJson(agent, url, '{"n":1}'));
      const drainBy = Date.now() + 30_000;
      while (consumed.length < sent.accepted && Date.now() < drainBy) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // A loop, not Math.max(...): a 60 s window holds more entries than a call's arguments may.
      let last = start + 1;
      for (const entry of consumed) last = Math.max(last, entry.at);
      windows.set(rate, {
        accepted: sent.accepted,
        consumed: consumed.length,
        rate: consumed.length / ((last - start) / 1000),
        latencyMs: percentiles(consumed.map((entry) => entry.latency)),
      });
    }
    return windows;
  } finally {
    agent.destroy();
    await floor?.stop();
    await consumer.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
