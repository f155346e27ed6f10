import { type Attributes, type SpanOptions, SpanKind } from '@opentelemetry/api';
import type { IncomingMessage } from './messages';

/**
 * Span names and attributes of the OpenTelemetry messaging semantic conventions for Kafka, so a trace
 * viewer shows Flint's sends and processing the way it shows any instrumented Kafka client's:
 * `send <topic>` (PRODUCER), `create <topic>` (one message of a later send), `process <topic>`
 * (CONSUMER).
 */
export interface MessagingSpan {
  name: string;
  options: SpanOptions;
}

/** What a span knows of the messages it sends: their keys and, for events, their ids. */
export interface SentMessage {
  key?: string | null;
  id?: string;
}

export function sendSpan(topic: string, messages: readonly SentMessage[]): MessagingSpan {
  const attributes: Attributes = {
    ...common('send', topic),
    ...(messages.length === 1 ? messageAttributes(messages[0]) : {}),
  };
  if (messages.length !== 1) {
    attributes['messaging.batch.message_count'] = messages.length;
    // One key for the whole batch (one source's events) is still worth showing.
    const keys = new Set(messages.map((m) => m.key ?? undefined));
    const [key] = keys;
    if (keys.size === 1 && key !== undefined) attributes['messaging.kafka.message.key'] = key;
  }
  return { name: `send ${topic}`, options: { kind: SpanKind.PRODUCER, attributes } };
}

/** One message created now and sent later (a run request of several events, with its own context). */
export function createSpan(topic: string, message: SentMessage): MessagingSpan {
  return {
    name: `create ${topic}`,
    options: {
      kind: SpanKind.PRODUCER,
      attributes: { ...common('create', topic), ...messageAttributes(message) },
    },
  };
}

/** Processing one consumed message; `id` is the message's own id (a CloudEvent's `id`). */
export function processSpan(
  message: Pick<IncomingMessage, 'topic' | 'partition' | 'offset' | 'key'>,
  groupId: string,
  id?: string,
): MessagingSpan {
  const attributes: Attributes = {
    ...common('process', message.topic),
    'messaging.consumer.group.name': groupId,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.kafka.offset': Number(message.offset),
    ...messageAttributes({
      key: message.key?.toString('utf8'),
      ...(id === undefined ? {} : { id }),
    }),
  };
  return {
    name: `process ${message.topic}`,
    options: { kind: SpanKind.CONSUMER, attributes },
  };
}

function common(operation: 'send' | 'create' | 'process', topic: string): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': topic,
  };
}

/** The attributes of one message, for a span that learns its key or id only once it is built. */
export function messageAttributes(message: SentMessage): Attributes {
  const attributes: Attributes = {};
  if (message.key !== undefined && message.key !== null) {
    attributes['messaging.kafka.message.key'] = message.key;
  }
  if (message.id !== undefined) attributes['messaging.message.id'] = message.id;
  return attributes;
}
