import { type TopicNames, topicNamesFromEnv, type ServiceName } from '@flint/contracts';
import {
  KafkaMetrics,
  type TopicSettings,
  createKafka,
  kafkaConfigFromEnv,
  kafkaHealthCheck,
} from '@flint/kafka';
import { type Store, openStore, storeConfigFromEnv, storeHealthCheck } from '@flint/store';
import type { Kafka } from 'kafkajs';
import type { DestinationStream, Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HealthCheck } from './health-check';
import { createServiceRegistry } from './metrics';
import { measuredStore } from './measured-store';
import { createServiceLogger, serviceLog } from './service-logger';
import { type ServiceConfig, serviceConfigFromEnv } from './service-config';

/**
 * What every Flint service is built on: its validated configuration, a Kafka client, the store, topic
 * names, its metrics registry and the health checks that decide readiness. Built before Nest so that a
 * bad environment fails the boot with a clear message, and so the local stack can hand one embedded
 * store to every service.
 */
export interface ServiceRuntime {
  readonly config: ServiceConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly kafka: Kafka;
  readonly store: Store;
  readonly topics: TopicNames;
  /** Partitions and replication factor for the topics a service creates. */
  readonly kafkaTopicSettings: TopicSettings;
  /** How long the consumer group waits for a silent consumer (`KAFKA_SESSION_TIMEOUT_MS`). */
  readonly kafkaSessionTimeoutMs: number;
  readonly registry: Registry;
  /** The service's structured logger (pino, JSON lines with the trace id). */
  readonly logger: Logger;
  readonly healthChecks: readonly HealthCheck[];
  close(): Promise<void>;
}

export interface RuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** A store owned by the caller (the local stack shares one embedded database); not closed by the runtime. */
  store?: Store;
  /** Where log lines go instead of stdout; tests read them. */
  logDestination?: DestinationStream;
}

export async function openServiceRuntime(
  service: ServiceName,
  options: RuntimeOptions = {},
): Promise<ServiceRuntime> {
  const env = options.env ?? process.env;
  const config = serviceConfigFromEnv(service, env);
  const topics = topicNamesFromEnv(env);
  const kafkaConfig = kafkaConfigFromEnv(env, `flint-${service}`);
  const logger = createServiceLogger(service, env, options.logDestination);
  const openedStore = options.store ?? (await openStore(storeConfigFromEnv(env)));
  const kafkaLog = serviceLog(logger, 'kafka');
  const kafka = createKafka(kafkaConfig, { log: kafkaLog });
  const registry = createServiceRegistry(service);
  const store = measuredStore(openedStore, registry);
  KafkaMetrics.attach(kafka, registry);
  const kafkaCheck = kafkaHealthCheck(createKafka(kafkaConfig, { log: kafkaLog, failFast: true }));
  const ownsStore = options.store === undefined;
  return {
    config,
    env,
    kafka,
    store,
    topics,
    kafkaTopicSettings: {
      partitions: kafkaConfig.topicPartitions,
      replicationFactor: kafkaConfig.replicationFactor,
    },
    kafkaSessionTimeoutMs: kafkaConfig.sessionTimeoutMs,
    registry,
    logger,
    healthChecks: [kafkaCheck, storeHealthCheck(store)],
    async close() {
      await kafkaCheck.close();
      if (ownsStore) await openedStore.close();
    },
  };
}
