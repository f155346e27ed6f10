// Before each test file of the `kafka-3.9` jest project: point the file's Kafka clients (and the
// processes it starts) at the 3.9 broker. Only this file's environment changes; the other projects'
// tests keep the default broker.
const brokers = process.env.FLINT_TEST_KAFKA_3_BROKERS;
if (!brokers)
  throw new Error('FLINT_TEST_KAFKA_3_BROKERS is not set: the kafka-3.9 global setup did not run');
process.env.KAFKA_BROKERS = brokers;
