import type { TopicNames, TopicRole } from '@flint/contracts';
import { type Admin, ConfigResourceTypes, type ITopicConfig, type Kafka } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

export interface ProvisionResult {
  created: string[];
  existing: string[];
}

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Per-topic settings that Flint relies on. The triggers topic holds the current definition of each
 * trigger, so it must be compacted or definitions vanish after retention; poison messages are kept
 * longer than events so there is time to look at them.
 */
const TOPIC_CONFIG: Record<TopicRole, Record<string, string>> = {
  events: {},
  runs: {},
  triggers: { 'cleanup.policy': 'compact' },
  dlq: { 'retention.ms': String(THIRTY_DAYS_MS) },
};

/**
 * Creates whichever of Flint's topics do not exist yet; safe to run at every start and from several
 * services at once. An existing triggers topic that is not compacted is an error, not something to
 * fix silently on someone's cluster.
 */
export async function provisionTopics(
  kafka: Kafka,
  topics: TopicNames,
  settings: TopicSettings,
): Promise<ProvisionResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const roles = Object.keys(topics) as TopicRole[];
    const missing = roles.filter((role) => !present.has(topics[role]));
    let created: string[] = [];
    if (missing.length > 0) {
      const wanted: ITopicConfig[] = missing.map((role) => ({
        topic: topics[role],
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        configEntries: Object.entries(TOPIC_CONFIG[role]).map(([name, value]) => ({ name, value })),
      }));
      // False, not an error, when another service created them all in the meantime.
      const createdAny = await admin
        .createTopics({ topics: wanted, waitForLeaders: false })
        .catch((err: unknown) => {
          const names = wanted.map((t) => t.topic).join(', ');
          throw new Error(
            `could not create Kafka topics ${names} with ${settings.partitions} partitions and ` +
              `replication factor ${settings.replicationFactor}: ${topicErrors(err)}`,
            { cause: err },
          );
        });
      if (createdAny) created = wanted.map((t) => t.topic);
      await waitForTopicLeaders(
        admin,
        wanted.map((t) => t.topic),
      );
    }
    await assertCompacted(admin, topics.triggers);
    const existing = roles.map((role) => topics[role]).filter((t) => !created.includes(t));
    return { created, existing };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of the topics has a leader, so producing right after provisioning
 * works. kafkajs's own `waitForLeaders` gives up when a fresh topic is briefly unknown to the
 * broker's metadata cache, which happens on a busy single-node cluster; this tolerates that.
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem: string;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      lastProblem = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `topics ${topics.join(', ')} not ready after ${timeoutMs} ms: ${lastProblem}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function assertCompacted(admin: Admin, topic: string): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
  });
  const policy = resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
  if (!policy?.configValue.split(',').includes('compact')) {
    throw new Error(
      `topic ${topic} exists with cleanup.policy=${policy?.configValue ?? 'unknown'}, but Flint keeps ` +
        'the current trigger definitions there and needs cleanup.policy=compact; change the topic ' +
        'config or point FLINT_TOPIC_TRIGGERS at another topic',
    );
  }
}

/** kafkajs reports per-topic failures inside an aggregate error whose own message says little. */
function topicErrors(err: unknown): string {
  const errors = (err as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return (err as Error).message;
  const messages = errors.map((e: { topic?: string; message?: string }) =>
    e.topic ? `${e.topic}: ${e.message}` : String(e.message),
  );
  return [...new Set(messages)].join('; ');
}
