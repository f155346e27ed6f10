import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
// Only Node and kafkajs here: jest loads this file for globalSetup, where the @flint/* path aliases
// do not resolve.
import type { Kafka } from 'kafkajs';

const ROOT = join(__dirname, '..', '..');
const KAFKA_SCRIPT = join(ROOT, 'scripts', 'kafka', 'kafka.sh');

const run = promisify(execFile);

/** The 3.9 line, which the Kafka client layer's own tests also run against (the `kafka-3.9` project). */
export const KAFKA_3_VERSION = '3.9.2';

/** A broker of the test run: where its address goes, and which broker it is. */
interface TestBroker {
  /** Where the address goes; when it is already set, that cluster is used and nothing started. */
  brokersVariable: string;
  /** Set when the broker was started here, so teardown stops only that one. */
  dataDirVariable: string;
  /** Its data dir is `.flint/test-kafka-<label><pid>`. */
  label: string;
  /** FLINT_KAFKA_VERSION for kafka.sh; unset: the default, scripts/kafka/VERSION. */
  version?: string;
}

const DEFAULT_BROKER: TestBroker = {
  brokersVariable: 'KAFKA_BROKERS',
  dataDirVariable: 'FLINT_TEST_KAFKA_DATA_DIR',
  label: '',
};

const KAFKA_3_BROKER: TestBroker = {
  brokersVariable: 'FLINT_TEST_KAFKA_3_BROKERS',
  dataDirVariable: 'FLINT_TEST_KAFKA_3_DATA_DIR',
  label: `${KAFKA_3_VERSION}-`,
  version: KAFKA_3_VERSION,
};

/**
 * Makes a broker available to the integration tests through `KAFKA_BROKERS`: the cluster it already
 * names, or a fresh local broker on free ports with its own data dir, so a test run neither
 * touches nor depends on the developer's `npm start` broker.
 */
export function startTestKafka(): Promise<void> {
  return startTestBroker(DEFAULT_BROKER);
}

/** Stops the broker `startTestKafka` started, if any, and deletes its data. */
export function stopTestKafka(): Promise<void> {
  return stopTestBroker(DEFAULT_BROKER);
}

/**
 * A broker of the 3.9 line for the Kafka client layer's tests, through `FLINT_TEST_KAFKA_3_BROKERS`
 * (not `KAFKA_BROKERS`: the other tests of the same run use the default broker).
 */
export function startTestKafka3(): Promise<void> {
  return startTestBroker(KAFKA_3_BROKER);
}

export function stopTestKafka3(): Promise<void> {
  return stopTestBroker(KAFKA_3_BROKER);
}

async function startTestBroker(broker: TestBroker): Promise<void> {
  if (process.env[broker.brokersVariable]) return;
  await removeAbandonedBrokers();
  const dataDir = join(ROOT, '.flint', `test-kafka-${broker.label}${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const [port, controllerPort] = await freePorts(2);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLINT_KAFKA_DATA_DIR: dataDir,
    FLINT_KAFKA_PORT: String(port),
    FLINT_KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  if (broker.version) env.FLINT_KAFKA_VERSION = broker.version;
  delete env.KAFKA_BROKERS;
  try {
    await run('bash', [KAFKA_SCRIPT, 'start'], { env, maxBuffer: 10 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    await run('bash', [KAFKA_SCRIPT, 'stop'], { env }).catch(() => undefined);
    throw new Error(`the test Kafka broker did not start:\n${stdout}${stderr}`, { cause: err });
  }
  process.env[broker.dataDirVariable] = dataDir;
  process.env[broker.brokersVariable] = `127.0.0.1:${port}`;
}

async function stopTestBroker(broker: TestBroker): Promise<void> {
  const dataDir = process.env[broker.dataDirVariable];
  if (!dataDir) return;
  await run('bash', [KAFKA_SCRIPT, 'stop'], {
    env: { ...process.env, FLINT_KAFKA_DATA_DIR: dataDir },
  });
  await rm(dataDir, { recursive: true, force: true });
  delete process.env[broker.dataDirVariable];
  delete process.env[broker.brokersVariable];
}

/**
 * Stops and deletes the brokers of earlier test runs that died without their teardown (killed,
 * Ctrl-C); a run still in progress (its jest process alive) keeps its broker.
 */
async function removeAbandonedBrokers(): Promise<void> {
  const flintDir = join(ROOT, '.flint');
  const entries = await readdir(flintDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const owner = /^test-kafka-(?:[\w.]+-)?(\d+)$/.exec(entry)?.[1];
    if (owner === undefined || isAlive(Number(owner))) continue;
    const dataDir = join(flintDir, entry);
    await run('bash', [KAFKA_SCRIPT, 'stop'], {
      env: { ...process.env, FLINT_KAFKA_DATA_DIR: dataDir },
    }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ports the OS reports free right now; the broker binds them moments later. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A log for Kafka clients in tests: silent unless something is an error. */
export function quietLog(level: string, message: string, fields?: Record<string, unknown>): void {
  if (level === 'error') console.error(message, fields ?? {});
}

/** A name no other test (or earlier run) uses, so tests share the broker without interfering. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TestTopicOptions {
  /** The exact name, when a test needs one fixed in advance; otherwise `prefix` plus a unique suffix. */
  name?: string;
  partitions?: number;
  config?: Record<string, string>;
}

/** Creates a topic (by default with a unique name) and waits until it has leaders. */
export async function createTestTopic(
  kafka: Kafka,
  prefix: string,
  options: TestTopicOptions = {},
): Promise<string> {
  const topic = options.name ?? uniqueName(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: options.partitions ?? 1,
          replicationFactor: 1,
          configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
    });
    // Not kafkajs's waitForLeaders: it fails when the new topic is briefly missing from metadata.
    await waitFor(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
      },
      { description: `leaders for the partitions of ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error, so a failure says what never happened. */
  description?: string;
}

/**
 * Polls until `predicate` returns something other than false/undefined/null, and returns that.
 * Tests wait for conditions with generous timeouts instead of sleeping for fixed times.
 */
export async function waitFor<T>(
  predicate: () => T | false | undefined | null | Promise<T | false | undefined | null>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await predicate();
      if (result !== false && result !== undefined && result !== null) return result;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'the condition';
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A message read back in a test, with header values as strings. */
export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a throwaway consumer group until `count` messages arrived;
 * fails if they do not within the timeout. Reading more than `count` is not an error: they are all
 * returned, so a test can see duplicates.
 */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  options: WaitForOptions = {},
): Promise<ReadMessage[]> {
  // A short fetch wait, so disconnecting does not sit out a long poll.
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader'), maxWaitTimeInMs: 250 });
  const received: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        });
      },
    });
    await waitFor(() => received.length >= count, {
      timeoutMs: options.timeoutMs ?? 60_000,
      description: options.description ?? `${count} messages on ${topic}`,
    });
    return received;
  } finally {
    await consumer.disconnect();
  }
}

/** Every message on the topic now: reads up to the current end offsets of all partitions. */
export async function readAllMessages(kafka: Kafka, topic: string): Promise<ReadMessage[]> {
  const ends = await endOffsets(kafka, topic);
  const total = [...ends.values()].reduce((sum, end) => sum + end, 0);
  return total === 0 ? [] : readMessages(kafka, topic, total);
}

/** Partition → offset after the last message (the high watermark). */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Partition → the group's committed offset; -1 where it committed nothing yet. */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  } finally {
    await admin.disconnect();
  }
}
