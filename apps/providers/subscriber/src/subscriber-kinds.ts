import type { SourceKindImplementations } from '@flint/provider-sdk';
import { KafkaTopicKind } from './kafka/kafka-topic-kind';
import { MqttKind } from './mqtt/mqtt-kind';
import { NatsKind } from './nats/nats-kind';
import { RabbitMqKind } from './rabbitmq/rabbitmq-kind';
import { RedisStreamKind } from './redis-stream/redis-stream-kind';
import { S3Kind } from './s3/s3-kind';
import { SseKind } from './sse/sse-kind';
import type { MessageSettings } from './subscription/message-translator';
import type { StreamKind, SubscriberKind } from './subscription/stream-kind';
import { WebSocketKind } from './websocket/websocket-kind';
import { subscriberProvider, type SubscriberDeps } from './subscription/subscriber-provider';

/** A stream kind for each kind the registry assigns to the subscriber. */
export type StreamKinds = { [K in SubscriberKind]: StreamKind<K, MessageSettings> };

/** Every stream kind the subscriber runs, one folder each. */
export function streamKinds(): StreamKinds {
  return {
    kafka: new KafkaTopicKind(),
    'redis-stream': new RedisStreamKind(),
    nats: new NatsKind(),
    rabbitmq: new RabbitMqKind(),
    mqtt: new MqttKind(),
    sse: new SseKind(),
    websocket: new WebSocketKind(),
    s3: new S3Kind(),
  };
}

/** The stream kinds behind the shared machinery, as the provider SDK runs them. */
export function subscriberKinds(
  kinds: StreamKinds,
  deps: SubscriberDeps,
): SourceKindImplementations<'subscriber'> {
  return Object.fromEntries(
    Object.entries(kinds).map(([name, kind]) => [name, subscriberProvider(kind, deps)]),
  ) as unknown as SourceKindImplementations<'subscriber'>;
}
