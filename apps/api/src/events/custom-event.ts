import { randomUUID } from 'node:crypto';
import type { CloudEvent, EmitEventRequest } from '@flint/contracts';

/** Custom events belong to no source definition; they share this source id (the Kafka key). */
export const CUSTOM_EVENT_SOURCE_ID = 'api';
export const DEFAULT_CUSTOM_EVENT_SOURCE = 'flint/api';

export interface CustomEventOrigin {
  /** Whose event it is: the API key's owner, or the one an admin named. */
  owner: string;
  acceptedAt: Date;
  traceparent: string;
}

/**
 * The CloudEvent of `POST /api/events`: provider `api`, so `event` sources and `eventTypes` of its
 * type fire and run-status sources (which only take the runner's events) do not.
 */
export function customEvent(
  request: Omit<EmitEventRequest, 'owner'>,
  origin: CustomEventOrigin,
): CloudEvent {
  const acceptedAt = origin.acceptedAt.toISOString();
  const event: CloudEvent = {
    specversion: '1.0',
    id: request.id ?? randomUUID(),
    source: request.source ?? DEFAULT_CUSTOM_EVENT_SOURCE,
    type: request.type,
    time: acceptedAt,
    flintsourceid: CUSTOM_EVENT_SOURCE_ID,
    flintprovider: 'api',
    flintacceptedat: acceptedAt,
    flintowner: origin.owner,
    traceparent: origin.traceparent,
  };
  if (request.subject !== undefined) event.subject = request.subject;
  if (request.data !== undefined) {
    event.data = request.data;
    event.datacontenttype = 'application/json';
  }
  return event;
}
