import { type RunRepositories, runRepositories } from '../../support/runs';
import { randomUUID } from 'node:crypto';
import type { RunRequest, RunStatus, TopicNames } from '@flint/contracts';
import { createKafka, EventProducer, kafkaConfigFromEnv, provisionTopics } from '@flint/kafka';
import { type RunningService, startService } from '@flint/service-kit';
import { PostgresStore, type RunRecord, runMigrations } from '@flint/store';
import type { Consumer, Kafka } from 'kafkajs';
import type { Workflow } from '@flint/workflows';
import { RunnerModule } from '../../../apps/runner/src/runner.module';
import { quietLog, uniqueName, waitFor } from '../../support/kafka';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres';

/** A client for the test broker (`KAFKA_BROKERS`, set by globalSetup). */
export function kafkaForTest(clientId = 'flint-runner-test'): Kafka {
  return createKafka(kafkaConfigFromEnv(process.env, clientId), { log: quietLog });
}

/**
 * What the runner tests share: a database of their own, topics of their own (one partition, so runs
 * that must not block each other really share a partition), a producer for run requests, and a
 * collector that keeps every message on the events and dead-letter topics.
 */
export class RunnerTestBed {
  readonly kafka = kafkaForTest();
  readonly producer = new EventProducer(this.kafka);
  readonly topics: TopicNames;
  readonly groupId = uniqueName('runner-group');
  readonly events: CollectedMessage[] = [];
  readonly deadLetters: CollectedMessage[] = [];
  store!: PostgresStore;
  runs!: RunRepositories;
  private database!: ScratchDatabase;
  private collector: Consumer | undefined;
  private readonly services = new Set<RunningService>();

  constructor(prefix: string) {
    this.topics = {
      events: uniqueName(`${prefix}-events`),
      runs: uniqueName(`${prefix}-runs`),
      triggers: uniqueName(`${prefix}-triggers`),
      dlq: uniqueName(`${prefix}-dlq`),
    };
  }

  async setUp(databaseName: string): Promise<void> {
    this.database = await createScratchDatabase(databaseName);
    this.store = new PostgresStore({ url: this.database.url, poolMax: 2 });
    await runMigrations(this.store);
    this.runs = runRepositories(this.store);
    await provisionTopics(this.kafka, this.topics, { partitions: 1, replicationFactor: 1 });
    await this.producer.connect();
  }

  async tearDown(): Promise<void> {
    for (const service of this.services) await service.stop();
    await this.collector?.disconnect();
    await this.producer.disconnect();
    await this.store?.close();
    await this.database?.drop();
  }

  /** Environment of a runner on this test bed's database and topics; `extra` wins. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.database.url,
      FLINT_TOPIC_EVENTS: this.topics.events,
      FLINT_TOPIC_RUNS: this.topics.runs,
      FLINT_TOPIC_TRIGGERS: this.topics.triggers,
      FLINT_TOPIC_DLQ: this.topics.dlq,
      KAFKA_TOPIC_PARTITIONS: '1',
      FLINT_RUNNER_GROUP_ID: this.groupId,
      FLINT_RUNNER_POLL_INTERVAL_MS: '200',
      FLINT_RUNNER_PORT: '0',
      FLINT_HOST: '127.0.0.1',
      FLINT_LOG_LEVEL: 'silent',
      ...extra,
    };
  }

  /** Starts the runner service and waits until it consumes run requests. */
  async startRunner(
    options: { env?: NodeJS.ProcessEnv; workflows?: Workflow[] } = {},
  ): Promise<RunningService> {
    const service = await startService(
      'runner',
      (runtime) => RunnerModule.forRuntime(runtime, { workflows: options.workflows ?? [] }),
      { env: this.env(options.env), handleSignals: false, logger: false },
    );
    this.services.add(service);
    await service.consuming;
    await this.collect();
    return service;
  }

  async stopRunner(service: RunningService): Promise<void> {
    await service.stop();
    this.services.delete(service);
  }

  /** Publishes run requests as the evaluator does: JSON, keyed by run id. */
  async send(...requests: unknown[]): Promise<void> {
    await this.producer.send(
      this.topics.runs,
      requests.map((request) => ({
        key: (request as { runId?: string }).runId ?? null,
        value: typeof request === 'string' ? request : JSON.stringify(request),
      })),
    );
  }

  async sendRaw(value: string | null, key = 'raw'): Promise<void> {
    await this.producer.send(this.topics.runs, [{ key, value }]);
  }

  async waitForStatus(runId: string, status: RunStatus, timeoutMs = 60_000): Promise<RunRecord> {
    return waitFor(
      async () => {
        const run = await this.runs.history.get(runId);
        return run?.status === status ? run : undefined;
      },
      { timeoutMs, description: `run ${runId} to be ${status}` },
    );
  }

  /** The run-status events of one run, in the order they were published. */
  statusEvents(runId: string): StatusEventSeen[] {
    return this.events
      .filter((message) => message.headers.ce_subject === runId)
      .map((message) => ({
        type: message.headers.ce_type ?? '',
        data: JSON.parse(message.value ?? 'null') as StatusEventSeen['data'],
        headers: message.headers,
      }));
  }

  async waitForEvents(runId: string, types: string[]): Promise<StatusEventSeen[]> {
    return waitFor(
      () => {
        const seen = this.statusEvents(runId);
        return types.every((type) => seen.some((event) => event.type === type)) ? seen : undefined;
      },
      { description: `events ${types.join(', ')} of run ${runId}` },
    );
  }

  async waitForDeadLetter(key: string): Promise<CollectedMessage> {
    return waitFor(() => this.deadLetters.find((message) => message.key === key), {
      description: `a dead letter with key ${key}`,
    });
  }

  /** Reads the events and DLQ topics from the start into `events` and `deadLetters`. */
  private async collect(): Promise<void> {
    if (this.collector) return;
    const consumer = this.kafka.consumer({
      groupId: uniqueName('runner-collector'),
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.topics.events, this.topics.dlq],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const collected: CollectedMessage = {
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        };
        (topic === this.topics.dlq ? this.deadLetters : this.events).push(collected);
      },
    });
    this.collector = consumer;
  }
}

export interface CollectedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface StatusEventSeen {
  type: string;
  data: {
    runId: string;
    status: RunStatus;
    attempt: number;
    error?: { type: string; message: string };
    result?: unknown;
    input?: unknown;
    workflow?: string;
  };
  headers: Record<string, string>;
}

/** A valid run request; ids are unique per call unless given. */
export function runRequest(overrides: Partial<RunRequest> = {}): RunRequest {
  const now = new Date().toISOString();
  const id = randomUUID().slice(0, 8);
  return {
    runId: `test-trigger.${id}`,
    triggerId: 'test-trigger',
    triggerVersion: 1,
    owner: 'default',
    target: { type: 'local', workflow: 'echo', timeoutMs: 10_000 },
    input: { hello: 'world', id },
    eventIds: [`event-${id}`],
    retry: {
      maxAttempts: 3,
      backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 },
    },
    requestedAt: now,
    acceptedAt: now,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    provider: 'webhook',
    ...overrides,
  };
}

/** The value of a counter or histogram count with these labels in the service's registry. */
export async function metricValue(
  service: RunningService,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = service.runtime.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v))
    .filter(
      (value) =>
        !('metricName' in value) ||
        value.metricName === name ||
        value.metricName === `${name}_count`,
    )
    .reduce((sum, value) => sum + value.value, 0);
}
