import { z } from 'zod';

/** Default topic names; every one can be renamed through the environment. */
export const DEFAULT_TOPICS = {
  events: 'flint.events',
  runs: 'flint.runs',
  triggers: 'flint.triggers',
  dlq: 'flint.dlq',
} as const;

export type TopicRole = keyof typeof DEFAULT_TOPICS;
export type TopicNames = Record<TopicRole, string>;

export const TopicNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z0-9._-]{1,249}$/,
    'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"',
  );

const TopicEnvSchema = z.object({
  FLINT_TOPIC_EVENTS: TopicNameSchema.default(DEFAULT_TOPICS.events),
  FLINT_TOPIC_RUNS: TopicNameSchema.default(DEFAULT_TOPICS.runs),
  FLINT_TOPIC_TRIGGERS: TopicNameSchema.default(DEFAULT_TOPICS.triggers),
  FLINT_TOPIC_DLQ: TopicNameSchema.default(DEFAULT_TOPICS.dlq),
});

export function topicNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TopicNames {
  const parsed = TopicEnvSchema.parse(env);
  return {
    events: parsed.FLINT_TOPIC_EVENTS,
    runs: parsed.FLINT_TOPIC_RUNS,
    triggers: parsed.FLINT_TOPIC_TRIGGERS,
    dlq: parsed.FLINT_TOPIC_DLQ,
  };
}
