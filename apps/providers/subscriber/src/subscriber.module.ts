import { type DynamicModule, Module } from '@nestjs/common';
import { providerServiceModule } from '@flint/provider-sdk';
import type { ServiceRuntime } from '@flint/service-kit';
import { type StreamKinds, streamKinds, subscriberKinds } from './subscriber-kinds';
import { reconnectBackoffFromEnv } from './subscriber-settings';
import { DeadLetterProducer } from './subscription/dead-letter-producer';
import { SubscriberMetrics } from './subscription/subscriber-metrics';

/** Connection-based sources: Kafka topics, streams, queues and push feeds (docs/providers.md). */
@Module({})
export class SubscriberModule {
  static forRuntime(runtime: ServiceRuntime, kinds: StreamKinds = streamKinds()): DynamicModule {
    const deadLetters = new DeadLetterProducer(runtime.kafka);
    return providerServiceModule({
      module: SubscriberModule,
      runtime,
      service: 'subscriber',
      kinds: subscriberKinds(kinds, {
        metrics: new SubscriberMetrics(runtime.registry),
        deadLetters,
        dlqTopic: runtime.topics.dlq,
        reconnectBackoff: reconnectBackoffFromEnv(runtime.env),
      }),
      providers: [{ provide: DeadLetterProducer, useValue: deadLetters }],
    });
  }
}
