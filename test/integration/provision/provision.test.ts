import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { StoreConfigError } from '@flint/store';
import { KafkaConfigError } from '@flint/kafka';
import { Client } from 'pg';
import { kafkaForTest } from '../../support/kafka-client';
import { provision, ProvisionConfigError } from '../../../apps/provision/src/provision';
import { quietLog, uniqueName } from '../../support/kafka';
import {
  createScratchDatabase,
  describeIfPostgres,
  type ScratchDatabase,
} from '../../support/postgres';

function topicEnv(prefix: string): Record<string, string> {
  return {
    FLINT_TOPIC_EVENTS: `${prefix}.events`,
    FLINT_TOPIC_RUNS: `${prefix}.runs`,
    FLINT_TOPIC_TRIGGERS: `${prefix}.triggers`,
    FLINT_TOPIC_DLQ: `${prefix}.dlq`,
  };
}

async function cleanupPolicy(kafka: Kafka, topic: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] },
      ],
    });
    return resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

async function appliedVersions(url: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    return rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}

describeIfPostgres('the provision job', () => {
  let database: ScratchDatabase;
  let kafka: Kafka;

  beforeAll(async () => {
    database = await createScratchDatabase('provision');
    kafka = kafkaForTest();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('migrates an empty database and creates the topics, then finds nothing left to do', async () => {
    const topics = topicEnv(uniqueName('provision'));
    const env = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: database.url,
      KAFKA_TOPIC_PARTITIONS: '2',
      ...topics,
    };

    const first = await provision(env, { kafkaLog: quietLog });
    expect(first.migrations.length).toBeGreaterThan(0);
    expect(await appliedVersions(database.url)).toEqual(first.migrations.map((m) => m.version));
    expect(first.topics.created.sort()).toEqual(Object.values(topics).sort());
    expect(await cleanupPolicy(kafka, topics.FLINT_TOPIC_TRIGGERS)).toBe('compact');

    const again = await provision(env, { kafkaLog: quietLog });
    expect(again.migrations).toEqual([]);
    expect(again.topics.created).toEqual([]);
    expect(again.topics.existing.sort()).toEqual(Object.values(topics).sort());
  });

  it('refuses to run without DATABASE_URL, before touching Kafka', async () => {
    const topics = topicEnv(uniqueName('provision-nodb'));
    await expect(
      provision({ KAFKA_BROKERS: process.env.KAFKA_BROKERS, ...topics }, { kafkaLog: quietLog }),
    ).rejects.toThrow(ProvisionConfigError);
    await expect(provision({ DATABASE_URL: '' }, { kafkaLog: quietLog })).rejects.toThrow(
      /DATABASE_URL is not set/,
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topics.FLINT_TOPIC_EVENTS);
    } finally {
      await admin.disconnect();
    }
  });

  it('names the bad variable when the configuration is wrong', async () => {
    await expect(
      provision({ DATABASE_URL: 'mysql://flint@db/flint' }, { kafkaLog: quietLog }),
    ).rejects.toThrow(StoreConfigError);
    await expect(
      provision(
        { DATABASE_URL: database.url, KAFKA_BROKERS: 'kafka-without-port' },
        { kafkaLog: quietLog },
      ),
    ).rejects.toThrow(KafkaConfigError);
    await expect(
      provision(
        { DATABASE_URL: database.url, KAFKA_BROKERS: 'kafka-without-port' },
        { kafkaLog: quietLog },
      ),
    ).rejects.toThrow(/KAFKA_BROKERS/);
    await expect(
      provision(
        {
          DATABASE_URL: database.url,
          KAFKA_BROKERS: process.env.KAFKA_BROKERS,
          FLINT_TOPIC_DLQ: 'a b',
        },
        { kafkaLog: quietLog },
      ),
    ).rejects.toThrow(/FLINT_TOPIC_DLQ/);
  });
});
