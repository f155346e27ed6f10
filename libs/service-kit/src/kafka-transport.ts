import { FlintKafkaServer, type FlintKafkaServerOptions } from '@flint/kafka';
import type { ServiceRuntime } from './service-runtime';
import { serviceLog } from './service-logger';

/**
 * The Nest provider token of a service's Kafka transport. A service module that consumes registers
 * its `FlintKafkaServer` under it; `startService` connects it as the application's microservice, so
 * the module's `@EventPattern` handlers are fed from the service's consumer group.
 */
export const CONSUMER_TRANSPORT = Symbol('CONSUMER_TRANSPORT');

export type KafkaTransportOptions = Omit<
  FlintKafkaServerOptions,
  'kafka' | 'topicNames' | 'dlqTopic' | 'log'
>;

/**
 * The transport on the service's Kafka client: handlers name topics by role (`@EventPattern('events')`,
 * `'runs'`), the real names come from the service's configuration, and poison messages go to its
 * dead-letter topic.
 */
export function kafkaTransport(
  runtime: ServiceRuntime,
  options: KafkaTransportOptions,
): FlintKafkaServer {
  return new FlintKafkaServer({
    kafka: runtime.kafka,
    topicNames: runtime.topics,
    dlqTopic: runtime.topics.dlq,
    log: serviceLog(runtime.logger, 'consumer'),
    sessionTimeoutMs: runtime.kafkaSessionTimeoutMs,
    // One partition's batch at a time. Side by side, two passes opening one dedupe key at once showed
    // a race in the dedupe windows (two runs for one key; between replicas too, fixed in
    // DedupeKeyRepository); it stays off until measured and tested again with several partitions.
    partitionsConsumedConcurrently: 1,
    ...options,
  });
}
