import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { BatchConsumer, EventProducer, createKafka, kafkaConfigFromEnv } from '@flint/kafka';
import { sendAtRate } from '../support/echo-load';
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
  const child = fork(join(__dirname, 'webhook-floor-server.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: 'inherit',
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await consumer.start();
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number } | { error: string }) =>
        'error' in message
          ? reject(new Error(`the floor failed: ${message.error}`))
          : resolve(message.port),
      );
      child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
      child.send({ brokers, topic });
    });
    const url = new URL(`http://127.0.0.1:${port}/hooks/demo`);
    // The consumer's group is joined and the server produces: one message round trip each.
    const deadline = Date.now() + 60_000;
    while (consumed.length === 0 && Date.now() < deadline) {
      await post(agent, url, '{"warmup":true}').catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const windows = new Map<number, FloorWindow>();
    for (const rate of rates) {
      consumed.length = 0;
      const start = Date.now();
      const sent = await sendAtRate(rate, windowMs, () => post(agent, url, '{"n":1}'));
      const drainBy = Date.now() + 30_000;
      while (consumed.length < sent.accepted && Date.now() < drainBy) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const last = Math.max(start + 1, ...consumed.map((entry) => entry.at));
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
    await stopChild(child);
    await consumer.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
