import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { keepTrying } from '@flint/common';
import { EventProducer, provisionTopics } from '@flint/kafka';
import type { OutboxRelay } from '@flint/store';
import {
  kafkaOutboxRelay,
  SERVICE_RUNTIME,
  type ServiceRuntime,
  serviceLog,
} from '@flint/service-kit';

/**
 * Publishes stored definition changes to the compacted triggers topic. Topics are provisioned first,
 * in the background and retried, so the API answers (and reports Kafka unhealthy) while the broker is
 * still coming up; changes committed meanwhile wait in the outbox.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: EventProducer;
  private readonly relay: OutboxRelay;
  private readonly stopping = new AbortController();
  private starting: Promise<unknown> | undefined;

  constructor(@Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime) {
    this.producer = new EventProducer(runtime.kafka);
    this.relay = kafkaOutboxRelay(runtime.store, this.producer, {
      log: serviceLog(runtime.logger, 'outbox'),
    });
  }

  onApplicationBootstrap(): void {
    this.starting = keepTrying(
      async () => {
        await provisionTopics(
          this.runtime.kafka,
          this.runtime.topics,
          this.runtime.kafkaTopicSettings,
        );
        await this.producer.connect();
        this.relay.start();
      },
      {
        signal: this.stopping.signal,
        backoff: { initialMs: 1000, maxMs: 15_000 },
        doing: 'reach Kafka to publish definition changes',
        log: serviceLog(this.runtime.logger, 'outbox'),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    await this.relay.stop();
    await this.producer.disconnect();
  }

  notify(): void {
    this.relay.notify();
  }
}
