import {
  type CloudEvent,
  definitionKey,
  type RunRequest,
  RunRequestSchema,
  type StoredDefinition,
  StoredDefinitionSchema,
  type TopicNames,
} from '@flint/contracts';
import { createKafka, EventProducer, kafkaConfigFromEnv, provisionTopics } from '@flint/kafka';
import { type RunningService, startService } from '@flint/service-kit';
import { PostgresStore, runMigrations } from '@flint/store';
import type { Consumer, Kafka } from 'kafkajs';
import { EvaluatorModule } from '../../../apps/evaluator/src/evaluator.module';
import { quietLog, uniqueName, waitFor } from '../../support/kafka';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres';

export function kafkaForTest(clientId = 'flint-evaluator-test'): Kafka {
  return createKafka(kafkaConfigFromEnv(process.env, clientId), { log: quietLog });
}

export interface CollectedMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

let sequence = 0;

/** A webhook event of `source`; ids are unique unless given. */
export function testEvent(source: string, overrides: Partial<CloudEvent> = {}): CloudEvent {
  sequence++;
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `${source}-${Date.now()}-${sequence}`,
    source: `flint/webhook/${source}`,
    type: 'com.github.push',
    time: now,
    datacontenttype: 'application/json',
    data: { ref: 'refs/heads/main', n: sequence },
    flintsourceid: source,
    flintprovider: 'webhook',
    flintacceptedat: now,
    ...overrides,
  };
}

/**
 * What the evaluator tests share: a database of their own, topics of their own (one partition, so
 * the order of run requests follows the order of events), a producer for definitions and events, and
 * a collector of every run request and dead letter.
 */
export class EvaluatorTestBed {
  readonly kafka = kafkaForTest();
  readonly producer = new EventProducer(this.kafka);
  readonly topics: TopicNames;
  readonly groupId = uniqueName('evaluator-group');
  readonly runs: { request: RunRequest; key: string | null; headers: Record<string, string> }[] =
    [];
  readonly deadLetters: CollectedMessage[] = [];
  store!: PostgresStore;
  database!: ScratchDatabase;
  private collector: Consumer | undefined;
  private readonly services = new Set<RunningService>();
  private readonly versions = new Map<string, number>();

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
    await provisionTopics(this.kafka, this.topics, { partitions: 1, replicationFactor: 1 });
    await this.producer.connect();
    await this.collect();
  }

  async tearDown(): Promise<void> {
    for (const service of this.services) await service.stop();
    await this.collector?.disconnect();
    await this.producer.disconnect();
    await this.store?.close();
    await this.database?.drop();
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.database.url,
      FLINT_TOPIC_EVENTS: this.topics.events,
      FLINT_TOPIC_RUNS: this.topics.runs,
      FLINT_TOPIC_TRIGGERS: this.topics.triggers,
      FLINT_TOPIC_DLQ: this.topics.dlq,
      KAFKA_TOPIC_PARTITIONS: '1',
      FLINT_EVALUATOR_GROUP_ID: this.groupId,
      FLINT_EVALUATOR_PORT: '0',
      FLINT_HOST: '127.0.0.1',
      FLINT_LOG_LEVEL: process.env.FLINT_TEST_LOG_LEVEL ?? 'silent',
      ...extra,
    };
  }

  /** Starts the evaluator service and waits until it has every definition and consumes events. */
  async startEvaluator(): Promise<RunningService> {
    const service = await startService(
      'evaluator',
      (runtime) => EvaluatorModule.forRuntime(runtime),
      {
        env: this.env(),
        handleSignals: false,
        logger: false,
      },
    );
    this.services.add(service);
    await service.consuming;
    return service;
  }

  async stopAll(): Promise<void> {
    for (const service of this.services) await this.stopEvaluator(service);
  }

  async stopEvaluator(service: RunningService): Promise<void> {
    await service.stop();
    this.services.delete(service);
  }

  /** Publishes definitions to the triggers topic as the API's outbox would, each at its next version. */
  async define(...definitions: Record<string, unknown>[]): Promise<StoredDefinition[]> {
    const stored = definitions.map((definition) => {
      const key = `${definition.kind as string}:${definition.id as string}`;
      const version = (this.versions.get(key) ?? 0) + 1;
      this.versions.set(key, version);
      return StoredDefinitionSchema.parse({
        ...definition,
        version,
        updatedAt: new Date().toISOString(),
      });
    });
    await this.producer.send(
      this.topics.triggers,
      stored.map((definition) => ({
        key: definitionKey(definition),
        value: JSON.stringify(definition),
      })),
    );
    return stored;
  }

  async deleteDefinition(kind: 'source' | 'trigger', id: string): Promise<void> {
    await this.producer.send(this.topics.triggers, [{ key: `${kind}:${id}`, value: null }]);
  }

  async publish(...events: CloudEvent[]): Promise<void> {
    await this.producer.publishEvents(this.topics.events, events);
  }

  /** The run requests of one trigger seen so far. */
  runsOf(triggerId: string): RunRequest[] {
    return this.runs.filter((run) => run.request.triggerId === triggerId).map((run) => run.request);
  }

  async waitForRuns(triggerId: string, count: number, timeoutMs = 60_000): Promise<RunRequest[]> {
    return waitFor(
      () => {
        const runs = this.runsOf(triggerId);
        return runs.length >= count ? runs : undefined;
      },
      { timeoutMs, description: `${count} run request(s) of trigger ${triggerId}` },
    );
  }

  private async collect(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: uniqueName('evaluator-collector'),
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.runs, this.topics.dlq], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        );
        const key = message.key?.toString() ?? null;
        if (topic === this.topics.dlq) {
          this.deadLetters.push({ key, value: message.value, headers });
          return;
        }
        const request = RunRequestSchema.parse(JSON.parse(String(message.value)));
        this.runs.push({ request, key, headers });
      },
    });
    this.collector = consumer;
  }
}

/** A trigger definition as a user writes it (defaults are applied when it is published). */
export function trigger(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'trigger', id, target: { type: 'local', workflow: 'echo' }, ...fields };
}

export function webhookSource(id: string): Record<string, unknown> {
  return { kind: 'source', id, provider: 'webhook', config: { path: id, auth: { type: 'none' } } };
}
