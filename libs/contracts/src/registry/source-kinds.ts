import type { z } from 'zod';
import { CRON_TICK_EVENT_TYPE, CronConfigSchema } from '../sources/cron-config';
import { EventConfigSchema, type EventConfig } from '../sources/event-config';
import { type FileConfig, FileConfigSchema, fileEventType } from '../sources/file-config';
import { FunctionSourceConfigSchema } from '../sources/function-config';
import { KafkaTopicConfigSchema } from '../sources/kafka-topic-config';
import {
  DEFAULT_POLLER_EVENT_TYPE,
  type PollerConfig,
  PollerConfigSchema,
} from '../sources/poller-config';
import { type RunStatusConfig, RunStatusConfigSchema } from '../sources/run-status-config';
import { type WebhookConfig, WebhookConfigSchema } from '../sources/webhook-config';
import { runStatusEventType } from '../run-status';
import { MqttConfigSchema } from '../sources/mqtt-config';
import { NatsConfigSchema } from '../sources/nats-config';
import { RabbitMqConfigSchema } from '../sources/rabbitmq-config';
import { RedisStreamConfigSchema } from '../sources/redis-stream-config';
import { S3ConfigSchema } from '../sources/s3-config';
import { SseConfigSchema } from '../sources/sse-config';
import { WebSocketConfigSchema } from '../sources/websocket-config';
import type { SERVICES, ServiceName } from './services';

/**
 * The registry of source kinds: what a source definition's `provider` may be. Everything that depends
 * on the kinds (the source schema and its JSON Schema, the `flintprovider` values of events, which
 * events name their source, which service runs which kind, the API's and CLI's filters) is derived
 * from this map. Adding a kind is one entry here (its config schema in `../sources/`) and one folder
 * in the service that runs it: docs/architecture.md, "How to add a provider".
 */
export const SOURCE_KINDS = {
  webhook: {
    config: WebhookConfigSchema,
    carriesSourceId: true,
    service: 'webhook',
    sampleEventType: (config: WebhookConfig) =>
      typeof config.eventType === 'string' ? config.eventType : config.eventType.fallback,
  },
  poller: {
    config: PollerConfigSchema,
    carriesSourceId: true,
    service: 'poller',
    sampleEventType: (config: PollerConfig) => config.eventType ?? DEFAULT_POLLER_EVENT_TYPE,
  },
  function: { config: FunctionSourceConfigSchema, carriesSourceId: true, service: 'poller' },
  cron: {
    config: CronConfigSchema,
    carriesSourceId: true,
    service: 'cron',
    sampleEventType: () => CRON_TICK_EVENT_TYPE,
  },
  file: {
    config: FileConfigSchema,
    carriesSourceId: true,
    service: 'file-watcher',
    sampleEventType: (config: FileConfig) => fileEventType(config.events[0] ?? 'created'),
  },
  event: {
    config: EventConfigSchema,
    carriesSourceId: false,
    service: 'api',
    sampleEventType: (config: EventConfig) => config.types[0] as string,
  },
  'run-status': {
    config: RunStatusConfigSchema,
    carriesSourceId: false,
    service: 'runner',
    sampleEventType: (config: RunStatusConfig) =>
      runStatusEventType(config.statuses[0] ?? 'SUCCEEDED'),
  },
  kafka: { config: KafkaTopicConfigSchema, carriesSourceId: true, service: 'subscriber' },
  'redis-stream': { config: RedisStreamConfigSchema, carriesSourceId: true, service: 'subscriber' },
  nats: { config: NatsConfigSchema, carriesSourceId: true, service: 'subscriber' },
  rabbitmq: { config: RabbitMqConfigSchema, carriesSourceId: true, service: 'subscriber' },
  mqtt: { config: MqttConfigSchema, carriesSourceId: true, service: 'subscriber' },
  sse: { config: SseConfigSchema, carriesSourceId: true, service: 'subscriber' },
  websocket: { config: WebSocketConfigSchema, carriesSourceId: true, service: 'subscriber' },
  s3: { config: S3ConfigSchema, carriesSourceId: true, service: 'subscriber' },
} as const satisfies Record<string, SourceKindEntry>;

export interface SourceKindEntry {
  /** Validates a source's `config`; its output (defaults filled in) is what the kind runs with. */
  readonly config: z.ZodType;
  /**
   * Its events name the source that produced them (`flintsourceid`, the Kafka key) and carry the kind
   * as `flintprovider`. Otherwise the source only selects events its service publishes on its own
   * behalf (custom events by the api, run-status events by the runner), which carry the service's
   * name as both.
   */
  readonly carriesSourceId: boolean;
  /** The service that runs the kind's sources, or publishes its events. */
  readonly service: ServiceName;
  /**
   * The type its events usually have, given the source's parsed config: what a test-fire's sample
   * event gets when it names no type. Kinds without one get `flint.test`.
   */
  readonly sampleEventType?: (config: never) => string;
}

type Kinds = typeof SOURCE_KINDS;
export type SourceKind = keyof Kinds;

/** The parsed config (defaults filled in) of a source of one kind. */
export type SourceConfigOf<K extends SourceKind> = z.output<Kinds[K]['config']>;

/** The kinds a provider service runs as sources of its own. */
export type RunnableKind = {
  [K in SourceKind]: (typeof SERVICES)[Kinds[K]['service']]['role'] extends 'provider' ? K : never;
}[SourceKind];

/** The kinds one service runs. */
export type KindOfService<S extends ServiceName> = {
  [K in SourceKind]: Kinds[K]['service'] extends S ? K : never;
}[SourceKind];

/** What can publish an event (`flintprovider`): a kind that names its sources, or a service. */
export type Provider = {
  [K in SourceKind]: Kinds[K]['carriesSourceId'] extends true ? K : Kinds[K]['service'];
}[SourceKind];
