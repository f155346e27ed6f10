import { createKafka, kafkaConfigFromEnv } from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { quietLog } from './kafka';

/** A client for the broker the test run uses (`KAFKA_BROKERS`, set by globalSetup). */
export function kafkaForTest(clientId = 'flint-test'): Kafka {
  return createKafka(kafkaConfigFromEnv(process.env, clientId), { log: quietLog });
}
