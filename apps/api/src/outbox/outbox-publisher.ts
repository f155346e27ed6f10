import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type TopicNames } from '@flint/contracts';
import { EventProducer, provisionTopics } from '@flint/kafka';
import { type OutboxRecord, OutboxRelay, type Store } from '@flint/store';
import { KAFKA, SERVICE_RUNTIME, STORE, TOPICS, type ServiceRuntime } from '@flint/service-kit';
import type { Kafka } from 'kafkajs';

/**
 * Publishes stored definition changes to the compacted triggers topic. Topics are provisioned first,
 * in the background and retried, so the API answers (and reports Kafka unhealthy) while the broker is
 * still coming up.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly producer: EventProducer;
  private readonly relay: OutboxRelay;
  private connected: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(STORE) store: Store,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {
    this.producer = new EventProducer(kafka);
    this.relay = new OutboxRelay(store, (records) => this.publish(records), {
      log: (message) => this.logger.warn(message),
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect();
  }

  notify(): void {
    this.relay.notify();
  }

  private async publish(records: OutboxRecord[]): Promise<void> {
    await this.ensureReady();
    for (const record of records) {
      await this.producer.send(record.topic, [
        {
          key: record.key,
          value: record.value === null ? null : JSON.stringify(record.value),
          headers: record.headers ?? {},
        },
      ]);
    }
  }

  /** A failed attempt is forgotten so the next relay tick tries again instead of awaiting a dead promise. */
  private ensureReady(): Promise<void> {
    this.connected ??= (async () => {
      await provisionTopics(this.kafka, this.topics, this.runtime.kafkaTopicSettings);
      await this.producer.connect();
    })().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }
}
