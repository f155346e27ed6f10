// Exits 0 when the broker at argv[2] answers a metadata request and lists itself, 1 otherwise.
// kafka.sh uses it to tell "port open" apart from "ready for clients".
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'flint-kafka-probe',
  brokers: [broker],
  connectionTimeout: 3000,
  requestTimeout: 5000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  process.exitCode = cluster.brokers.length > 0 ? 0 : 1;
} catch (error) {
  console.error(`${broker}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => undefined);
}
