import { randomFillSync, randomUUID } from 'node:crypto';
import { CLOUD_EVENT_CORE_ATTRIBUTES, type CloudEvent, type RunnableKind } from '@flint/contracts';
import { activeTraceHeaders } from '@flint/kafka';
import type { EmitInput } from './provider';

export interface EventOrigin {
  sourceId: string;
  provider: RunnableKind;
  acceptedAt: Date;
  traceparent?: string;
}

/** The CloudEvent for what a provider emitted: Flint's routing attributes filled in. */
export function buildCloudEvent(input: EmitInput, origin: EventOrigin): CloudEvent {
  const acceptedAt = origin.acceptedAt.toISOString();
  const event: CloudEvent = {
    ...foreignExtensions(input.extensions),
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source ?? origin.sourceId,
    type: input.type,
    time: input.time === undefined ? acceptedAt : toIsoTime(input.time),
    flintsourceid: origin.sourceId,
    flintprovider: origin.provider,
    flintacceptedat: acceptedAt,
    traceparent: origin.traceparent ?? activeTraceHeaders().traceparent ?? newTraceparent(),
  };
  if (input.subject !== undefined) event.subject = input.subject;
  if (input.dataschema !== undefined) event.dataschema = input.dataschema;
  if (input.data !== undefined) {
    event.data = input.data;
    event.datacontenttype = input.datacontenttype ?? 'application/json';
  } else if (input.datacontenttype !== undefined) {
    event.datacontenttype = input.datacontenttype;
  }
  return event;
}

/**
 * The extensions a provider passes on, without Flint's own: a foreign event cannot name another
 * source, owner or provider, nor replace the attributes the runtime sets.
 */
function foreignExtensions(
  extensions: EmitInput['extensions'],
): Record<string, string | number | boolean> {
  if (extensions === undefined) return {};
  return Object.fromEntries(
    Object.entries(extensions).filter(
      ([name]) => !name.startsWith('flint') && !NOT_EXTENSIONS.has(name),
    ),
  );
}

/** Names an extension cannot have: core attributes, base64 data and the trace context. */
const NOT_EXTENSIONS = new Set([
  ...CLOUD_EVENT_CORE_ATTRIBUTES,
  'data_base64',
  'traceparent',
  'tracestate',
]);

/** Times with an offset as CloudEvents wants them; a string that is no date is left for validation. */
function toIsoTime(time: Date | string): string {
  if (!(time instanceof Date)) return time;
  return Number.isNaN(time.getTime()) ? 'Invalid Date' : time.toISOString();
}

/** A trace id and a span id: 16 and 8 random bytes. */
const TRACE_IDS_BYTES = 24;
/**
 * Ids for 256 trace contexts, drawn at once: two synchronous `randomBytes` calls per event were 4 %
 * of the webhook service's CPU under load (issue 20's profile).
 */
const traceIdPool = Buffer.alloc(TRACE_IDS_BYTES * 256);
let traceIdPoolUsed = traceIdPool.length;

/** A sampled root trace context, so an event is traceable even when no tracer is configured. */
export function newTraceparent(): string {
  if (traceIdPoolUsed === traceIdPool.length) {
    randomFillSync(traceIdPool);
    traceIdPoolUsed = 0;
  }
  const ids = traceIdPool.toString('hex', traceIdPoolUsed, traceIdPoolUsed + TRACE_IDS_BYTES);
  traceIdPoolUsed += TRACE_IDS_BYTES;
  return `00-${ids.slice(0, 32)}-${ids.slice(32)}-01`;
}
