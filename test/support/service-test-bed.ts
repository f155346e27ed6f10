import type { ServiceName, TopicNames } from '@flint/contracts';
import { EventProducer, provisionTopics } from '@flint/kafka';
import {
  portVariable,
  type RunningService,
  type ServiceRuntime,
  startService,
} from '@flint/service-kit';
import { PostgresStore, runMigrations } from '@flint/store';
import type { DynamicModule } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { uniqueName } from './kafka';
import { kafkaForTest } from './kafka-client';
import { createScratchDatabase, type ScratchDatabase } from './postgres';

/** A message read back from a topic, its headers as strings. */
export interface ConsumedMessage {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * A database and topics of a test's own (one partition unless told otherwise, so what a service
 * produces keeps the order of what it consumed) and a producer on them: what every test bed of
 * services stands on.
 */
export class TestGround {
  /** Partitions of each topic; set before `setUp`. */
  partitions = 1;
  readonly kafka: Kafka;
  readonly producer: EventProducer;
  readonly topics: TopicNames;
  store!: PostgresStore;
  database!: ScratchDatabase;

  constructor(prefix: string, clientId: string) {
    this.topics = {
      events: uniqueName(`${prefix}-events`),
      runs: uniqueName(`${prefix}-runs`),
      triggers: uniqueName(`${prefix}-triggers`),
      dlq: uniqueName(`${prefix}-dlq`),
    };
    this.kafka = kafkaForTest(clientId);
    this.producer = new EventProducer(this.kafka);
  }

  async setUp(databaseName: string): Promise<void> {
    this.database = await createScratchDatabase(databaseName);
    this.store = new PostgresStore({ url: this.database.url, poolMax: 2 });
    await runMigrations(this.store);
    await provisionTopics(this.kafka, this.topics, {
      partitions: this.partitions,
      replicationFactor: 1,
    });
    await this.producer.connect();
  }

  async tearDown(): Promise<void> {
    await this.producer.disconnect();
    await this.store?.close();
    await this.database?.drop();
  }

  /** What every service on this ground is told: its database and topics, quiet, on a free port. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.database.url,
      FLINT_TOPIC_EVENTS: this.topics.events,
      FLINT_TOPIC_RUNS: this.topics.runs,
      FLINT_TOPIC_TRIGGERS: this.topics.triggers,
      FLINT_TOPIC_DLQ: this.topics.dlq,
      KAFKA_TOPIC_PARTITIONS: String(this.partitions),
      FLINT_HOST: '127.0.0.1',
      FLINT_LOG_LEVEL: process.env.FLINT_TEST_LOG_LEVEL ?? 'silent',
      ...extra,
    };
  }
}

/**
 * What the tests of a consuming service (evaluator, runner) share: a test ground, a collector for the
 * service's output, and the service itself started as it runs in production (`startService`, its
 * Kafka transport joined before a test goes on).
 */
export class ServiceTestBed extends TestGround {
  readonly groupId: string;
  private readonly collectors: Consumer[] = [];
  private readonly services = new Set<RunningService>();

  constructor(
    private readonly service: Extract<ServiceName, 'evaluator' | 'runner'>,
    prefix: string,
    /** Settings of the service under test besides the bed's own. */
    private readonly serviceEnv: NodeJS.ProcessEnv = {},
  ) {
    super(prefix, `flint-${service}-test`);
    this.groupId = uniqueName(`${service}-group`);
  }

  override async tearDown(): Promise<void> {
    for (const service of this.services) await service.stop();
    for (const collector of this.collectors) await collector.disconnect();
    await super.tearDown();
  }

  /** Environment of the service on this bed's database, topics and consumer group; `extra` wins. */
  override env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return super.env({
      [`FLINT_${this.service.toUpperCase()}_GROUP_ID`]: this.groupId,
      [portVariable(this.service)]: '0',
      ...this.serviceEnv,
      ...extra,
    });
  }

  /** Starts the service and waits until it consumes its topic. */
  async start(
    buildModule: (runtime: ServiceRuntime) => DynamicModule,
    env: NodeJS.ProcessEnv = {},
  ): Promise<RunningService> {
    const service = await startService(this.service, buildModule, {
      env: this.env(env),
      handleSignals: false,
      logger: false,
    });
    this.services.add(service);
    await service.consuming;
    return service;
  }

  async stop(service: RunningService): Promise<void> {
    await service.stop();
    this.services.delete(service);
  }

  async stopAll(): Promise<void> {
    for (const service of this.services) await this.stop(service);
  }

  /** Reads `topics` from their beginning, handing every message to `onMessage`. */
  async collect(topics: string[], onMessage: (message: ConsumedMessage) => void): Promise<void> {
    this.collectors.push(
      await collectMessages(this.kafka, topics, uniqueName(`${this.service}-collector`), onMessage),
    );
  }
}

/** Reads `topics` from their beginning with a group of its own; disconnect the consumer to stop. */
export async function collectMessages(
  kafka: Kafka,
  topics: string[],
  groupId: string,
  onMessage: (message: ConsumedMessage) => void,
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      onMessage({
        topic,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        ),
      });
    },
  });
  return consumer;
}
