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
    // A fetch's partitions are handled side by side, as separate replicas would handle them: one
    // partition's batch waiting for the database or the broker no longer holds up the others'. Safe
    // because nothing a pass shares with another partition's pass assumes one at a time: what two
    // partitions can both touch is decided in the database under a lock or a conflict (dedupe
    // windows, the runner's claims and concurrency keys, compound matches, rate limits, an absence
    // wait's end); batches, debounces and absence waits are kept per partition; the in-memory
    // dedupe cache, metrics and activity tallies take a pass's result whole once it is done; and
    // commits stay in order (BatchConsumer). test/integration/{evaluator,runner}/partitions.test.ts
    // hold that.
    partitionsConsumedConcurrently: runtime.kafkaTopicSettings.partitions,
    ...options,
  });
}
