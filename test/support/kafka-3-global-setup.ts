import { startTestKafka3 } from './kafka';

/**
 * Global setup of the `kafka-3.9` jest project: the Kafka client layer's tests (test/integration/kafka)
 * run a second time, against a broker of the 3.9 line. Jest runs it only when that project has test
 * files to run, so the second broker starts only for them.
 */
export default async function globalSetup(): Promise<void> {
  await startTestKafka3();
}
