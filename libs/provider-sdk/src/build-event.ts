import { randomBytes, randomUUID } from 'node:crypto';
import type { RunnableKind, CloudEvent } from '@flint/contracts';
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

/** Times with an offset as CloudEvents wants them; a string that is no date is left for validation. */
function toIsoTime(time: Date | string): string {
  if (!(time instanceof Date)) return time;
  return Number.isNaN(time.getTime()) ? 'Invalid Date' : time.toISOString();
}

/** A sampled root trace context, so an event is traceable even when no tracer is configured. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
