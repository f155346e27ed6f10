import type { StoredDefinition, TopicNames, WebhookConfig } from '@flint/contracts';
import { EventProducer, provisionTopics } from '@flint/kafka';
import { ProviderService } from '@flint/provider-sdk';
import { type RunningService, startService } from '@flint/service-kit';
import type { Kafka } from 'kafkajs';
import { WebhookModule } from '../../../../apps/providers/webhook/src/webhook.module';
import { type ReadMessage, readAllMessages, uniqueName, waitFor } from '../../../support/kafka';

export type WebhookConfigInput = Partial<WebhookConfig> & Pick<WebhookConfig, 'auth'>;

let version = 1;

/** A stored webhook source as the API would publish it; `path` defaults to the id. */
export function webhookSource(
  id: string,
  config: WebhookConfigInput,
  extra: { enabled?: boolean } = {},
): StoredDefinition {
  return {
    kind: 'source',
    id,
    owner: 'webhook-test',
    enabled: extra.enabled ?? true,
    version: version++,
    updatedAt: new Date().toISOString(),
    provider: 'webhook',
    config: {
      path: id,
      methods: ['POST'],
      eventType: 'flint.webhook.received',
      bodyLimitBytes: 1024 * 1024,
      ...config,
    },
  } as StoredDefinition;
}

export function testTopics(): TopicNames {
  const run = uniqueName('wh');
  return {
    events: `${run}-events`,
    runs: `${run}-runs`,
    triggers: `${run}-triggers`,
    dlq: `${run}-dlq`,
  };
}

export function topicEnv(topics: TopicNames): NodeJS.ProcessEnv {
  return {
    FLINT_TOPIC_EVENTS: topics.events,
    FLINT_TOPIC_RUNS: topics.runs,
    FLINT_TOPIC_TRIGGERS: topics.triggers,
    FLINT_TOPIC_DLQ: topics.dlq,
  };
}

/** Publishes definitions the way the API's outbox does: JSON under `kind:id` on the triggers topic. */
export class DefinitionPublisher {
  private readonly producer: EventProducer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
  ) {
    this.producer = new EventProducer(kafka);
  }

  async provision(): Promise<void> {
    await provisionTopics(this.kafka, this.topics, { partitions: 2, replicationFactor: 1 });
  }

  async put(definition: StoredDefinition): Promise<void> {
    await this.producer.send(this.topics.triggers, [
      { key: `${definition.kind}:${definition.id}`, value: JSON.stringify(definition) },
    ]);
  }

  async remove(kind: 'source' | 'trigger', id: string): Promise<void> {
    await this.producer.send(this.topics.triggers, [{ key: `${kind}:${id}`, value: null }]);
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

export async function startWebhook(env: NodeJS.ProcessEnv): Promise<RunningService> {
  const service = await startService('webhook', (runtime) => WebhookModule.forRuntime(runtime), {
    env: {
      ...process.env,
      FLINT_WEBHOOK_PORT: '0',
      FLINT_HOST: '127.0.0.1',
      FLINT_LOG_LEVEL: process.env.FLINT_TEST_LOG_LEVEL ?? 'silent',
      ...env,
    },
    handleSignals: false,
    logger: false,
  });
  await service.app.get(ProviderService).whenReady();
  return service;
}

/**
 * Waits until `path` is served. Probes with DELETE, which no webhook accepts: 405 once the source is
 * served, 404 before, and no event is ever published by the probe.
 */
export async function waitForPath(service: RunningService, path: string): Promise<void> {
  await waitFor(async () => (await probe(service, path)) === 405, {
    description: `/hooks/${path} to be served`,
    intervalMs: 200,
  });
}

export async function waitForGone(service: RunningService, path: string): Promise<void> {
  await waitFor(async () => (await probe(service, path)) === 404, {
    description: `/hooks/${path} to be no longer served`,
    intervalMs: 200,
  });
}

async function probe(service: RunningService, path: string): Promise<number> {
  return (await fetch(`${service.url}/hooks/${path}`, { method: 'DELETE' })).status;
}

/** The message of an accepted event; an acknowledged event is already below the end offsets. */
export async function eventOnTopic(
  kafka: Kafka,
  topic: string,
  eventId: string,
): Promise<ReadMessage> {
  const messages = await readAllMessages(kafka, topic);
  const matching = messages.filter((message) => message.headers.ce_id === eventId);
  if (matching.length !== 1) {
    throw new Error(
      `expected event ${eventId} once on ${topic}, found it ${matching.length} times`,
    );
  }
  return matching[0];
}
