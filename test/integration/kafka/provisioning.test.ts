import type { TopicNames } from '@flint/contracts';
import { provisionTopics } from '@flint/kafka';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import { createTestTopic, uniqueName } from '../../support/kafka';

function uniqueTopicNames(): TopicNames {
  const prefix = uniqueName('prov');
  return {
    events: `${prefix}.events`,
    runs: `${prefix}.runs`,
    triggers: `${prefix}.triggers`,
    dlq: `${prefix}.dlq`,
  };
}

async function topicConfig(kafka: Kafka, topic: string): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
  } finally {
    await admin.disconnect();
  }
}

describe('provisionTopics', () => {
  let kafka: Kafka;

  beforeAll(() => {
    kafka = kafkaForTest();
  });

  it('creates the missing topics once, compacts the triggers topic and keeps dead letters longer', async () => {
    const topics = uniqueTopicNames();
    const settings = { partitions: 2, replicationFactor: 1 };

    const first = await provisionTopics(kafka, topics, settings);
    expect(first.created.sort()).toEqual(Object.values(topics).sort());
    expect(first.existing).toEqual([]);

    const [second, third] = await Promise.all([
      provisionTopics(kafka, topics, settings),
      provisionTopics(kafka, topics, settings),
    ]);
    for (const again of [second, third]) {
      expect(again.created).toEqual([]);
      expect(again.existing.sort()).toEqual(Object.values(topics).sort());
    }

    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
      for (const topic of metadata.topics) expect(topic.partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
    expect((await topicConfig(kafka, topics.triggers))['cleanup.policy']).toBe('compact');
    expect((await topicConfig(kafka, topics.events))['cleanup.policy']).toBe('delete');
    const dlqRetention = Number((await topicConfig(kafka, topics.dlq))['retention.ms']);
    const eventsRetention = Number((await topicConfig(kafka, topics.events))['retention.ms']);
    expect(dlqRetention).toBe(30 * 24 * 60 * 60 * 1000);
    expect(dlqRetention).toBeGreaterThan(eventsRetention);
  });

  it('creates only what is missing', async () => {
    const topics = uniqueTopicNames();
    await createTestTopic(kafka, 'events', { name: topics.events });
    const result = await provisionTopics(kafka, topics, { partitions: 1, replicationFactor: 1 });
    expect(result.existing).toEqual([topics.events]);
    expect(result.created.sort()).toEqual([topics.dlq, topics.runs, topics.triggers].sort());
  });

  it('refuses a triggers topic that is not compacted, saying what to change', async () => {
    const triggers = await createTestTopic(kafka, 'not-compacted');
    const topics = { ...uniqueTopicNames(), triggers };
    await expect(
      provisionTopics(kafka, topics, { partitions: 1, replicationFactor: 1 }),
    ).rejects.toThrow(
      `topic ${triggers} exists with cleanup.policy=delete, but Flint keeps the current trigger definitions there and needs cleanup.policy=compact`,
    );
  });

  it('explains a replication factor the cluster cannot give', async () => {
    await expect(
      provisionTopics(kafka, uniqueTopicNames(), { partitions: 1, replicationFactor: 3 }),
    ).rejects.toThrow(
      /with 1 partitions and replication factor 3: .*Replication-factor is invalid/,
    );
  });
});
