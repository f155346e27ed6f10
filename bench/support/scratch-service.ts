import type { Kafka } from 'kafkajs';
import type { TopicNames } from '@flint/contracts';
import { createKafka, kafkaConfigFromEnv, provisionTopics } from '@flint/kafka';
import { stackEnv } from '../../test/support/isolated-stack';
import type { Broker } from './broker';
import { createScratchDatabase, type ScratchDatabase } from './database';

/** What a scenario needs to run a service (in its own process) on topics and data no other run sees. */
export interface ScratchService {
  /** The service's environment: `stackEnv`, the broker, one partition, then the scenario's own. */
  env: NodeJS.ProcessEnv;
  topics: TopicNames;
  kafka: Kafka;
  database: ScratchDatabase;
}

/**
 * A scratch database and the stack's four topics (one partition each), named after `run`, on
 * `broker`; `env` adds to the environment and wins. The caller drops `database` when done.
 */
export async function createScratchService(
  run: string,
  broker: Broker,
  env: NodeJS.ProcessEnv,
): Promise<ScratchService> {
  const database = await createScratchDatabase();
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...stackEnv(run, database.url),
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC_PARTITIONS: '1',
    KAFKA_REPLICATION_FACTOR: '1',
    ...env,
  };
  const topics: TopicNames = {
    events: serviceEnv.FLINT_TOPIC_EVENTS!,
    runs: serviceEnv.FLINT_TOPIC_RUNS!,
    triggers: serviceEnv.FLINT_TOPIC_TRIGGERS!,
    dlq: serviceEnv.FLINT_TOPIC_DLQ!,
  };
  const kafka = createKafka(kafkaConfigFromEnv(serviceEnv, `flint-${run}`));
  try {
    await provisionTopics(kafka, topics, { partitions: 1, replicationFactor: 1 });
  } catch (err) {
    await database.drop();
    throw err;
  }
  return { env: serviceEnv, topics, kafka, database };
}
