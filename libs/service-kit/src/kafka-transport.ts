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
    // Each partition of the topics this service creates can be worked on while another waits for
    // the database or the broker, as separate replicas would.
    partitionsConsumedConcurrently: runtime.kafkaTopicSettings.partitions,
    ...options,
  });
}
