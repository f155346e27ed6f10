import {
  type CloudEvent,
  CloudEventSchema,
  describeJsonProblem,
  findJsonProblem,
  MessageDecodeError,
} from '@flint/contracts';
import type { IHeaders } from 'kafkajs';
import type { z } from 'zod';
import { activeTraceHeaders, type TraceHeaders } from './trace-context';

/**
 * The CloudEvents Kafka protocol binding, binary content mode: context attributes travel as
 * `ce_<name>` headers, `datacontenttype` as `content-type`, and `data` alone is the message value,
 * so consumers that only want the payload need not parse an envelope.
 */

const HEADER_PREFIX = 'ce_';
const CONTENT_TYPE = 'content-type';
const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const DEFAULT_CONTENT_TYPE = 'application/json';
const STRUCTURED_CONTENT_TYPE = /^application\/cloudevents\+json\b/i;
const JSON_CONTENT_TYPE = /^(?:application\/(?:[\w.-]+\+)?json|text\/json)\s*(?:;|$)/i;
const TEXT_CONTENT_TYPE = /^text\//i;

/** Attributes carried outside the `ce_` headers. */
const NOT_CE_HEADERS = new Set(['data', 'datacontenttype', 'traceparent']);

/** Attributes whose absence the contract rejects, derived from the schema so they cannot drift. */
const REQUIRED_ATTRIBUTES = Object.entries(CloudEventSchema.shape)
  .filter(([name, schema]) => name !== 'data' && !schema.safeParse(undefined).success)
  .map(([name]) => name);

type FieldSchema = { safeParse(value: unknown): { success: boolean } };
const FIELDS: Readonly<Record<string, FieldSchema>> = CloudEventSchema.shape;
/** Per attribute, the last value its schema accepted. */
const lastAccepted = new Map<string, unknown>();

/**
 * Whether the schema certainly accepts the event, checked attribute by attribute with the schema's
 * own validator of each, skipping a value that is the same as the last one accepted: most of a
 * source's attributes repeat from event to event, and parsing every event whole was the webhook's
 * largest own cost after Kafka's encoding (issue 20). An attribute the schema does not name (an
 * extension) leaves the decision, and the error message, to the whole schema.
 */
function knownValid(event: CloudEvent): boolean {
  for (const name in event) {
    const field = FIELDS[name];
    if (field === undefined) return false;
    const value = event[name];
    if (value !== undefined && lastAccepted.get(name) === value) continue;
    if (!field.safeParse(value).success) return false;
    // Only primitives: an object may have changed since, and data is never worth holding on to.
    if (typeof value !== 'object') lastAccepted.set(name, value);
  }
  return REQUIRED_ATTRIBUTES.every((name) => event[name] !== undefined);
}

export interface EncodedCloudEvent {
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A message as kafkajs delivers it, or as a test builds it. */
export interface MessageToDecode {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

export class CloudEventEncodeError extends Error {
  override readonly name = 'CloudEventEncodeError';
}

export function isJsonContentType(contentType: string): boolean {
  return JSON_CONTENT_TYPE.test(contentType);
}

/**
 * Encodes a CloudEvent as a binary-mode Kafka message. The key follows the binding's key mapping: the
 * `partitionkey` extension, which is the source id unless the event names another, so one source's
 * events stay in order. The trace context is the event's own `traceparent`, else the active
 * OpenTelemetry span's.
 */
export function encodeCloudEvent(event: CloudEvent): EncodedCloudEvent {
  const checked = knownValid(event) ? undefined : CloudEventSchema.safeParse(event);
  if (checked !== undefined && !checked.success) {
    throw new CloudEventEncodeError(
      `cannot publish an invalid CloudEvent: ${describeIssues(checked.error, 'attribute')}`,
    );
  }
  const contentType = event.datacontenttype ?? DEFAULT_CONTENT_TYPE;
  const key = event.partitionkey ?? event.flintsourceid;
  const headers: Record<string, string> = { [CONTENT_TYPE]: contentType };
  for (const name in event) {
    const value = event[name];
    if (NOT_CE_HEADERS.has(name) || value === undefined) continue;
    headers[HEADER_PREFIX + name] = String(value);
  }
  headers[HEADER_PREFIX + 'partitionkey'] = key;
  const trace: TraceHeaders = event.traceparent
    ? { traceparent: event.traceparent }
    : activeTraceHeaders();
  if (trace.traceparent) headers[TRACEPARENT] = trace.traceparent;
  if (trace.tracestate) headers[TRACESTATE] = trace.tracestate;
  return { key, value: encodeData(event.data, contentType), headers };
}

function encodeData(data: unknown, contentType: string): Buffer | null {
  if (data === undefined || data === null) return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data);
  if (isJsonContentType(contentType)) return Buffer.from(JSON.stringify(data), 'utf8');
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw new CloudEventEncodeError(
    `data of content type ${contentType} must be a string or bytes, got ${typeof data}; ` +
      'set datacontenttype to application/json to send structured data',
  );
}

/**
 * Decodes a binary-mode message (or, when its content type says so, a structured-mode one) into a
 * validated CloudEvent. Throws a `MessageDecodeError` naming the header or value that is wrong.
 */
export function decodeCloudEvent(message: MessageToDecode): CloudEvent {
  const headers = readHeaders(message.headers ?? {});
  const contentType = headers.get(CONTENT_TYPE);
  if (
    !headers.has(HEADER_PREFIX + 'specversion') &&
    contentType &&
    STRUCTURED_CONTENT_TYPE.test(contentType)
  ) {
    return decodeStructured(message.value);
  }

  const attributes: Record<string, unknown> = {};
  for (const [name, value] of headers) {
    if (name.startsWith(HEADER_PREFIX)) attributes[name.slice(HEADER_PREFIX.length)] = value;
  }
  if (attributes.data !== undefined) {
    throw new MessageDecodeError('header ce_data is not allowed: in binary mode data is the value');
  }
  // tracestate is trace-propagation state, not an attribute Flint keeps.
  delete attributes[TRACESTATE];
  const traceparent = headers.get(TRACEPARENT) ?? headers.get(HEADER_PREFIX + TRACEPARENT);
  if (traceparent !== undefined) attributes.traceparent = traceparent;
  if (contentType !== undefined) attributes.datacontenttype = contentType;

  const missing = REQUIRED_ATTRIBUTES.filter((name) => attributes[name] === undefined);
  if (missing.length > 0) {
    throw new MessageDecodeError(
      `not a CloudEvent in binary mode: missing header${missing.length > 1 ? 's' : ''} ` +
        missing.map((name) => HEADER_PREFIX + name).join(', '),
    );
  }
  // The reverse of encoding's key mapping: a partitionkey equal to the source id is the default
  // Flint writes, not an attribute of the event's own, so the event decodes as it was published.
  if (attributes.partitionkey === attributes.flintsourceid) delete attributes.partitionkey;
  const data = decodeData(message.value, contentType);
  if (data !== undefined) attributes.data = data;
  return validate(attributes, 'header');
}

function readHeaders(raw: IHeaders): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [rawName, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (Array.isArray(value)) {
      throw new MessageDecodeError(`header ${name} appears ${value.length} times; expected once`);
    }
    if (headers.has(name)) {
      throw new MessageDecodeError(`header ${name} appears more than once; expected once`);
    }
    headers.set(name, Buffer.isBuffer(value) ? value.toString('utf8') : value);
  }
  return headers;
}

function decodeData(value: Buffer | string | null, contentType: string | undefined): unknown {
  if (value === null) return undefined;
  const type = contentType ?? DEFAULT_CONTENT_TYPE;
  if (isJsonContentType(type)) return parseJson(value, `value (content-type ${type})`);
  if (TEXT_CONTENT_TYPE.test(type)) return value.toString();
  return Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.from(value, 'utf8');
}

function parseJson(value: Buffer | string, what: string): unknown {
  const text = value.toString();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MessageDecodeError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function decodeStructured(value: Buffer | string | null): CloudEvent {
  if (value === null) {
    throw new MessageDecodeError('structured-mode CloudEvent has an empty value');
  }
  const envelope = parseJson(value, 'structured-mode CloudEvent');
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new MessageDecodeError('structured-mode CloudEvent must be a JSON object');
  }
  const { data_base64: dataBase64, ...attributes } = envelope as Record<string, unknown>;
  if (typeof dataBase64 === 'string') attributes.data = Buffer.from(dataBase64, 'base64');
  return validate(attributes, 'attribute');
}

function validate(attributes: Record<string, unknown>, where: 'header' | 'attribute'): CloudEvent {
  // Refused here, before any step walks the data or stores it: nesting that would overflow a
  // recursive walk, or a NUL that PostgreSQL cannot store.
  const problem = findJsonProblem(attributes);
  if (problem !== undefined) {
    throw new MessageDecodeError(
      `Flint cannot process this event: ${describeJsonProblem(problem, 'the event')}`,
      'invalid',
    );
  }
  const result = CloudEventSchema.safeParse(attributes);
  if (!result.success) {
    throw new MessageDecodeError(
      `invalid CloudEvent: ${describeIssues(result.error, where)}`,
      'invalid',
    );
  }
  return result.data;
}

/** Names each problem by the header (or attribute) the user has to fix. */
function describeIssues(error: z.ZodError, where: 'header' | 'attribute'): string {
  const locate = (name: string): string => {
    if (where === 'attribute') return `attribute ${name}`;
    if (name === 'datacontenttype') return `header ${CONTENT_TYPE}`;
    if (name === 'traceparent') return `header ${TRACEPARENT}`;
    return `header ${HEADER_PREFIX}${name}`;
  };
  return error.issues
    .map((issue) => {
      const [name, ...rest] = issue.path.map(String);
      if (name === undefined) return issue.message;
      const inside = rest.length > 0 ? ` at ${rest.join('.')}` : '';
      return `${name === 'data' ? 'value' : locate(name)}${inside}: ${issue.message}`;
    })
    .join('; ');
}
