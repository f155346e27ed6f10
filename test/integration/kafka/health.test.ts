import { createServer } from 'node:net';
import { createKafka, kafkaConfigFromEnv, kafkaHealthCheck } from '@flint/kafka';
import { kafkaForTest } from '../../support/kafka-client';

/** A port nothing listens on: bound by us and released again. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('kafkaHealthCheck', () => {
  it('passes against the running broker, again and again on one connection', async () => {
    const check = kafkaHealthCheck(kafkaForTest());
    try {
      expect(check.name).toBe('kafka');
      await expect(check.check()).resolves.toBeUndefined();
      await expect(check.check()).resolves.toBeUndefined();
    } finally {
      await check.close();
    }
  });

  it('fails with the reason when the cluster is unreachable', async () => {
    const port = await deadPort();
    const kafka = createKafka(
      kafkaConfigFromEnv({ KAFKA_BROKERS: `127.0.0.1:${port}` }, 'flint-health-test'),
      { log: () => undefined },
    );
    const check = kafkaHealthCheck(kafka, { timeoutMs: 1500 });
    try {
      await expect(check.check()).rejects.toThrow(/^Kafka is unreachable: /);
      // A later check tries again rather than reusing the failed connection.
      await expect(check.check()).rejects.toThrow(/^Kafka is unreachable: /);
    } finally {
      await check.close();
    }
  });

  it('logs kafkajs problems through the given log, never the SASL password', async () => {
    const entries: string[] = [];
    const port = await deadPort();
    const kafka = createKafka(
      kafkaConfigFromEnv(
        {
          KAFKA_BROKERS: `127.0.0.1:${port}`,
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: 'flint',
          KAFKA_SASL_PASSWORD: 'hunter2-very-secret',
        },
        'flint-health-test',
      ),
      { log: (level, message, fields) => entries.push(JSON.stringify({ level, message, fields })) },
    );
    const check = kafkaHealthCheck(kafka, { timeoutMs: 1500 });
    await expect(check.check()).rejects.toThrow(/^Kafka is unreachable: /);
    await check.close();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.join('\n')).not.toContain('hunter2');
  });
});
