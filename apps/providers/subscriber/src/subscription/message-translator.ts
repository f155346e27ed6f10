import { createHash } from 'node:crypto';
import {
  describeJsonProblem,
  type DlqReason,
  findJsonProblem,
  MessageDecodeError,
  type StreamEventId,
  type StreamFormat,
} from '@flint/contracts';
import type { EmitInput } from '@flint/provider-sdk';
import type { Delivery } from './delivery';
import {
  contentTypeOf,
  type ForeignCloudEvent,
  headerOf,
  parseJson,
  readForeignCloudEvent,
} from './foreign-cloud-event';

/** The message settings every stream kind's config has (`streamMessageFields`). */
export interface MessageSettings {
  format: StreamFormat;
  type: string;
  eventId?: StreamEventId;
  maxMessageBytes: number;
}

/** A message Flint will not publish, and why; it goes to flint.dlq and is acknowledged upstream. */
export interface BadMessage {
  reason: Extract<DlqReason, 'undecodable' | 'invalid' | 'too-large'>;
  error: string;
}

export type Translation = { event: EmitInput } | { bad: BadMessage };

const CORE_ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;
const SCALAR_TYPES = new Set(['string', 'number', 'boolean']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What to publish for one delivery: a CloudEvent that arrived as one is taken as it is (its id,
 * source, type and extensions kept); any other message is read in the declared format and wrapped in
 * an event of the configured type. Its id is the configured header or field, else the protocol's own
 * identity, else a hash of its content — never random, so a redelivery collapses into the same run.
 */
export function translate(delivery: Delivery, settings: MessageSettings): Translation {
  if (delivery.body.length > settings.maxMessageBytes) {
    return {
      bad: {
        reason: 'too-large',
        error: `the message has ${delivery.body.length} bytes; this source takes at most ${settings.maxMessageBytes} (maxMessageBytes)`,
      },
    };
  }
  try {
    const foreign = readForeignCloudEvent(delivery);
    const event = foreign ? fromCloudEvent(foreign) : wrap(delivery, settings);
    const problem = event.data === undefined ? undefined : findJsonProblem(event.data);
    if (problem !== undefined) {
      throw new MessageDecodeError(
        `Flint cannot process this message: ${describeJsonProblem(problem, 'the payload')}`,
        'invalid',
      );
    }
    return { event };
  } catch (err) {
    if (!(err instanceof MessageDecodeError)) throw err;
    return { bad: { reason: err.reason, error: err.message } };
  }
}

function fromCloudEvent({ attributes, data }: ForeignCloudEvent): EmitInput {
  if (attributes.specversion !== '1.0') {
    throw new MessageDecodeError(
      `a CloudEvent of spec version ${JSON.stringify(attributes.specversion)}; Flint reads 1.0`,
      'invalid',
    );
  }
  for (const name of CORE_ATTRIBUTES) {
    if (typeof attributes[name] !== 'string' || attributes[name] === '') {
      throw new MessageDecodeError(`the CloudEvent has no ${name} attribute`, 'invalid');
    }
  }
  const {
    specversion: _specversion,
    id,
    source,
    type,
    subject,
    time,
    datacontenttype,
    dataschema,
    ...rest
  } = attributes;
  const extensions: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (!SCALAR_TYPES.has(typeof value)) {
      throw new MessageDecodeError(
        `the CloudEvent's extension ${name} is not a string, number or boolean`,
        'invalid',
      );
    }
    extensions[name] = value as string | number | boolean;
  }
  const event: EmitInput = {
    id: String(id),
    source: String(source),
    type: String(type),
    extensions,
  };
  if (typeof subject === 'string') event.subject = subject;
  if (typeof time === 'string') event.time = time;
  if (typeof dataschema === 'string') event.dataschema = dataschema;
  if (typeof datacontenttype === 'string') event.datacontenttype = datacontenttype;
  if (data !== undefined) event.data = data;
  return event;
}

function wrap(delivery: Delivery, settings: MessageSettings): EmitInput {
  const payload = readPayload(delivery, settings.format);
  const event: EmitInput = {
    id: eventId(delivery, settings.eventId, payload.data),
    type: delivery.type ?? settings.type,
    data: payload.data,
    datacontenttype: payload.contentType,
  };
  if (delivery.subject !== undefined) event.subject = delivery.subject;
  if (delivery.time !== undefined) event.time = delivery.time;
  return event;
}

function readPayload(
  delivery: Delivery,
  format: StreamFormat,
): { data: unknown; contentType: string } {
  switch (format) {
    case 'json':
      return {
        data: parseJson(delivery.body, 'the message (format json)'),
        contentType: 'application/json',
      };
    case 'text':
      try {
        return { data: utf8.decode(delivery.body), contentType: 'text/plain; charset=utf-8' };
      } catch {
        throw new MessageDecodeError('the message (format text) is not valid UTF-8');
      }
    case 'bytes':
      return {
        data: delivery.body,
        contentType: contentTypeOf(delivery) ?? 'application/octet-stream',
      };
  }
}

function eventId(delivery: Delivery, configured: StreamEventId | undefined, data: unknown): string {
  const own = configured === undefined ? undefined : configuredId(delivery, configured, data);
  if (own !== undefined) return own;
  if (delivery.identity !== undefined) return delivery.identity;
  const hash = createHash('sha256')
    .update(delivery.subject ?? '')
    .update('\u0000')
    .update(delivery.body)
    .digest('hex');
  return `sha256:${hash}`;
}

/** The configured id, or undefined when the message has none there (then the next choice counts). */
function configuredId(
  delivery: Delivery,
  configured: StreamEventId,
  data: unknown,
): string | undefined {
  if (configured.header !== undefined) {
    const value = headerOf(delivery, configured.header);
    return value === undefined || value === '' ? undefined : value;
  }
  let value: unknown = data;
  for (const step of configured.field!.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  if (typeof value === 'string' && value !== '') return value.slice(0, 512);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
