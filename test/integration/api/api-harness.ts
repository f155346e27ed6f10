import { createServer } from 'node:net';
import { SERVICE_NAMES } from '@flint/contracts';
import { type RunningService, portVariable, startService } from '@flint/service-kit';
import { kafkaForTest } from '../../support/kafka-client';
import { ApiModule } from '../../../apps/api/src/api.module';
import { uniqueName, waitFor } from '../../support/kafka';

export const ADMIN_KEY = 'definitions-test-admin-key-0123456789';

export interface TestTopics {
  triggers: string;
  events: string;
  runs: string;
  dlq: string;
}

export function testTopics(prefix: string): TestTopics {
  const run = uniqueName(prefix);
  return {
    triggers: `${run}.triggers`,
    events: `${run}.events`,
    runs: `${run}.runs`,
    dlq: `${run}.dlq`,
  };
}

/** The environment the API is started with: this run's database and broker, its own topics. */
export function apiEnv(topics: TestTopics, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const ports = Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0']));
  return {
    ...process.env,
    ...ports,
    FLINT_HOST: '127.0.0.1',
    FLINT_ADMIN_API_KEY: ADMIN_KEY,
    FLINT_TOPIC_TRIGGERS: topics.triggers,
    FLINT_TOPIC_EVENTS: topics.events,
    FLINT_TOPIC_RUNS: topics.runs,
    FLINT_TOPIC_DLQ: topics.dlq,
    // Each API indexes its own dead-letter topic in a group of its own.
    FLINT_API_DLQ_GROUP_ID: `${topics.dlq}-index`,
    ...overrides,
  };
}

export function startApi(
  topics: TestTopics,
  overrides: NodeJS.ProcessEnv = {},
): Promise<RunningService> {
  return startService('api', (runtime) => ApiModule.forRuntime(runtime), {
    env: apiEnv(topics, overrides),
    handleSignals: false,
    logger: false,
  });
}

/**
 * Response bodies are untyped JSON by default: each test asserts the fields it cares about, and a
 * wrong guess fails the assertion rather than the compile.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface HttpResult<Body = JsonBody> {
  status: number;
  headers: Headers;
  body: Body;
}

/** An HTTP call with the admin key unless `key` says otherwise (null: no key). */
export async function call<Body = JsonBody>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {},
): Promise<HttpResult<Body>> {
  const key = options.key === undefined ? ADMIN_KEY : options.key;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Body,
  };
}

/** Creates an API key with `role` for `owner` (admin call) and returns the key itself. */
export async function createKey(
  baseUrl: string,
  name: string,
  role: string,
  owner: string,
): Promise<string> {
  const created = await call(baseUrl, 'POST', '/api/keys', { body: { name, role, owner } });
  expect(created.status).toBe(201);
  return created.body.key;
}

/** Creates a webhook source and a local trigger listening to it, both owned by `owner`. */
export async function createWebhookTrigger(
  baseUrl: string,
  ids: { owner: string; source: string; trigger: string },
  triggerOverrides: Record<string, unknown> = {},
): Promise<void> {
  const { owner, source, trigger } = ids;
  const sourceCreated = await call(baseUrl, 'POST', '/api/sources', {
    body: webhookSource(source, { owner }),
  });
  expect(sourceCreated.status).toBe(201);
  const triggerCreated = await call(baseUrl, 'POST', '/api/triggers', {
    body: localTrigger(trigger, [source], { owner, ...triggerOverrides }),
  });
  expect(triggerCreated.status).toBe(201);
}

/** A port nothing listens on: the OS hands it out, and it is closed again at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TopicRecord {
  key: string;
  value: Record<string, unknown> | null;
}

/** Reads the topic from the beginning until `until` holds for what was read, in topic order. */
export async function readTopicUntil(
  topic: string,
  until: (records: TopicRecord[]) => boolean,
  description: string,
): Promise<TopicRecord[]> {
  const kafka = kafkaForTest();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => (await admin.listTopics()).includes(topic), {
      timeoutMs: 60_000,
      description: `topic ${topic} to exist`,
    });
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({
    groupId: uniqueName('definitions-reader'),
    maxWaitTimeInMs: 250,
  });
  const records: TopicRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: String(message.key),
          value: message.value
            ? (JSON.parse(String(message.value)) as Record<string, unknown>)
            : null,
        });
      },
    });
    await waitFor(() => until(records), { timeoutMs: 90_000, description });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export const webhookSource = (id: string, overrides: Record<string, unknown> = {}) => ({
  kind: 'source',
  id,
  owner: 'team-a',
  provider: 'webhook',
  config: { path: id, auth: { type: 'none' } },
  ...overrides,
});

export const localTrigger = (
  id: string,
  sources: unknown[],
  overrides: Record<string, unknown> = {},
) => ({
  kind: 'trigger',
  id,
  owner: 'team-a',
  sources,
  target: { type: 'local', workflow: 'echo' },
  ...overrides,
});
