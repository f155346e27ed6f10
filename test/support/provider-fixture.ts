import type { CloudEvent, ServiceName, StoredDefinition } from '@flint/contracts';
import {
  EventProducer,
  createKafka,
  decodeCloudEvent,
  kafkaConfigFromEnv,
  type MessageToDecode,
} from '@flint/kafka';
import type { DynamicModule } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { ProviderService, type SourceStatus } from '@flint/provider-sdk';
import { type RunningService, type ServiceRuntime, startService } from '@flint/service-kit';
import { createTestTopic, quietLog, uniqueName, waitFor } from './kafka';

/**
 * What the provider tests (cron, poller, file watcher) share: their own events and definitions
 * topics on the real broker, a way to publish definitions, and the provider services under test.
 */
export class ProviderFixture {
  readonly services: RunningService[] = [];
  private readonly published = new Set<string>();
  private readonly collectors: EventCollector[] = [];
  private constructor(
    readonly kafka: Kafka,
    readonly producer: EventProducer,
    readonly topics: { events: string; triggers: string; runs: string; dlq: string },
  ) {}

  /** `eventsTopicConfig`: settings of the events topic (a small `max.message.bytes`, say). */
  static async create(
    prefix: string,
    eventsTopicConfig: Record<string, string> = {},
  ): Promise<ProviderFixture> {
    const kafka = createKafka(kafkaConfigFromEnv(process.env, uniqueName(prefix)), {
      log: quietLog,
    });
    const producer = new EventProducer(kafka);
    await producer.connect();
    const topics = {
      events: await createTestTopic(kafka, `${prefix}-events`, {
        partitions: 2,
        config: eventsTopicConfig,
      }),
      triggers: await createTestTopic(kafka, `${prefix}-triggers`, {
        config: { 'cleanup.policy': 'compact' },
      }),
      runs: uniqueName(`${prefix}-runs`),
      dlq: uniqueName(`${prefix}-dlq`),
    };
    return new ProviderFixture(kafka, producer, topics);
  }

  /** The environment of a service under test: these topics, any free port, the test database. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      FLINT_HOST: '127.0.0.1',
      FLINT_CRON_PORT: '0',
      FLINT_POLLER_PORT: '0',
      FLINT_FILE_WATCHER_PORT: '0',
      FLINT_LOG_LEVEL: process.env.FLINT_TEST_LOG_LEVEL ?? 'silent',
      FLINT_TOPIC_EVENTS: this.topics.events,
      FLINT_TOPIC_TRIGGERS: this.topics.triggers,
      FLINT_TOPIC_RUNS: this.topics.runs,
      FLINT_TOPIC_DLQ: this.topics.dlq,
      ...extra,
    };
  }

  async start(
    name: ServiceName,
    buildModule: (runtime: ServiceRuntime) => DynamicModule,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<RunningService> {
    const service = await startService(name, buildModule, {
      env: this.env(extraEnv),
      handleSignals: false,
      logger: false,
    });
    this.services.push(service);
    return service;
  }

  async stopService(service: RunningService): Promise<void> {
    await service.stop();
    this.services.splice(this.services.indexOf(service), 1);
  }

  /** Publishes a definition the way the API's outbox relay does: key `kind:id`, JSON value. */
  async publish(definition: StoredDefinition): Promise<void> {
    const key = `${definition.kind}:${definition.id}`;
    await this.producer.send(this.topics.triggers, [{ key, value: JSON.stringify(definition) }]);
    this.published.add(key);
  }

  /**
   * Deletes every definition published so far (tombstones), so services a later test starts do not
   * also run the sources of earlier tests.
   */
  async removeAll(): Promise<void> {
    const keys = [...this.published];
    this.published.clear();
    if (keys.length === 0) return;
    await this.producer.send(
      this.topics.triggers,
      keys.map((key) => ({ key, value: null })),
    );
  }

  /** Collects the events topic from the beginning until `close`. */
  async collect(): Promise<EventCollector> {
    const collector = await EventCollector.start(this.kafka, this.topics.events);
    this.collectors.push(collector);
    return collector;
  }

  /** Stops the services started and removes the definitions published, so the next test starts clean. */
  async reset(): Promise<void> {
    for (const service of this.services.splice(0)) await service.stop();
    await this.removeAll();
  }

  async close(): Promise<void> {
    for (const service of this.services.splice(0)) await service.stop();
    for (const collector of this.collectors.splice(0)) await collector.stop();
    await this.producer.disconnect();
  }
}

/** Reads every event published on a topic from the beginning, decoded, as long as it runs. */
export class EventCollector {
  readonly events: CloudEvent[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string): Promise<EventCollector> {
    const consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 100 });
    const collector = new EventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        collector.events.push(decodeCloudEvent(message as MessageToDecode));
      },
    });
    return collector;
  }

  /** Waits until `predicate` holds for the events so far. */
  async until(
    predicate: (events: CloudEvent[]) => boolean,
    description: string,
    timeoutMs = 60_000,
  ): Promise<CloudEvent[]> {
    await waitFor(() => predicate(this.events), { timeoutMs, description, intervalMs: 50 });
    return this.events;
  }

  ofSource(sourceId: string): CloudEvent[] {
    return this.events.filter((event) => event.flintsourceid === sourceId);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Waits until the service's status of `sourceId` satisfies `predicate`, and returns it. */
export function waitForStatus(
  service: RunningService,
  sourceId: string,
  predicate: (status: SourceStatus) => boolean,
  description: string,
): Promise<SourceStatus> {
  return waitFor(
    () => {
      const status = service.app
        .get(ProviderService)
        .statuses()
        .find((s) => s.id === sourceId);
      return status !== undefined && predicate(status) ? status : undefined;
    },
    { description: `${sourceId}: ${description}` },
  );
}

/**
 * Waits until `sourceId` failed `failures` times in a row on the service, checks the metrics say so
 * too (down, the failures counted), and returns its status.
 */
export async function waitForFailures(
  service: RunningService,
  sourceId: string,
  failures: number,
): Promise<SourceStatus> {
  const status = await waitForStatus(
    service,
    sourceId,
    (s) => s.consecutiveFailures >= failures,
    `${failures} failures in a row`,
  );
  expect(status.lastErrorAt).toEqual(expect.any(Date));
  expect(await sourceMetric(service, 'flint_source_up', sourceId)).toBe(0);
  expect(
    await sourceMetric(service, 'flint_source_failures_total', sourceId),
  ).toBeGreaterThanOrEqual(failures);
  return status;
}

/** The value of a source's `flint_source_up` or `flint_source_failures_total` on the service. */
export async function sourceMetric(
  service: RunningService,
  name: 'flint_source_up' | 'flint_source_failures_total',
  sourceId: string,
): Promise<number | undefined> {
  const metric = await service.runtime.registry.getSingleMetric(name)?.get();
  return metric?.values.find((value) => value.labels.source === sourceId)?.value;
}

/** A stored definition as the API publishes it: version 1, updated now unless given. */
export function stored<T extends object>(
  definition: T,
  updatedAt = new Date().toISOString(),
): StoredDefinition {
  return { owner: 'provider-test', enabled: true, version: 1, updatedAt, ...definition } as never;
}
