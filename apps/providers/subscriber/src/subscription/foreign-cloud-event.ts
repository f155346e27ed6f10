import { MessageDecodeError } from '@flint/contracts';
import type { Delivery } from './delivery';

/**
 * A CloudEvent that arrived as one, in structured mode (a JSON envelope) or binary mode (attributes
 * in headers), from any producer: the attributes as it sent them and its data.
 */
export interface ForeignCloudEvent {
  attributes: Record<string, unknown>;
  data?: unknown;
}

const STRUCTURED = /^application\/cloudevents\+json\b/i;
const JSON_TYPE = /^(?:application\/(?:[\w.-]+\+)?json|text\/json)\s*(?:;|$)/i;
const TEXT_TYPE = /^text\//i;

/**
 * Header prefixes of the CloudEvents protocol bindings: Kafka (`ce_`), HTTP, NATS and MQTT 5 user
 * properties (`ce-`), AMQP application properties (`cloudEvents:` or `cloudEvents_`).
 */
const BINARY_PREFIXES = ['ce_', 'ce-', 'cloudevents:', 'cloudevents_'];

/** The content type a delivery declares, from whichever header its protocol uses. */
export function contentTypeOf(delivery: Delivery): string | undefined {
  return headerOf(delivery, 'content-type') ?? headerOf(delivery, 'contenttype');
}

/** A header by name, in any letter case. */
export function headerOf(delivery: Delivery, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(delivery.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The CloudEvent a delivery carries, or undefined when it is a plain message. Throws
 * `MessageDecodeError` for a message that says it is a CloudEvent but cannot be read as one.
 */
export function readForeignCloudEvent(delivery: Delivery): ForeignCloudEvent | undefined {
  const contentType = contentTypeOf(delivery);
  const binary = binaryAttributes(delivery);
  if (binary !== undefined) {
    if (contentType !== undefined) binary.datacontenttype = contentType;
    return { attributes: binary, data: binaryData(delivery.body, contentType) };
  }
  if (contentType !== undefined && STRUCTURED.test(contentType)) return structured(delivery.body);
  return undefined;
}

function binaryAttributes(delivery: Delivery): Record<string, unknown> | undefined {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(delivery.headers)) {
    const lower = key.toLowerCase();
    const prefix = BINARY_PREFIXES.find((candidate) => lower.startsWith(candidate));
    if (prefix !== undefined) attributes[lower.slice(prefix.length)] = value;
  }
  return attributes.specversion === undefined ? undefined : attributes;
}

function binaryData(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  if (contentType === undefined || JSON_TYPE.test(contentType)) {
    return parseJson(body, 'the value of a binary-mode CloudEvent');
  }
  if (TEXT_TYPE.test(contentType)) return body.toString('utf8');
  return body;
}

function structured(body: Buffer): ForeignCloudEvent {
  const envelope = parseJson(body, 'a structured-mode CloudEvent');
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new MessageDecodeError('a structured-mode CloudEvent must be a JSON object');
  }
  const { data, data_base64: dataBase64, ...attributes } = envelope as Record<string, unknown>;
  if (typeof dataBase64 === 'string') {
    return { attributes, data: Buffer.from(dataBase64, 'base64') };
  }
  return { attributes, data };
}

export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new MessageDecodeError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
