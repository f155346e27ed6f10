import type { JsonValue } from '@flint/conditions';
import { type CloudEvent, type RunRequest, RunRequestSchema } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import type { CompiledTrigger } from '../definitions/compiled-trigger';

export interface RunRequestParts {
  trigger: CompiledTrigger;
  runId: string;
  /** The causing events, first (the one whose provider and trace the run inherits) first. */
  events: readonly CloudEvent[];
  /** The span the run continues, when not the first event's: that of a batch or compound match. */
  traceparent?: string;
  input: JsonValue;
  dedupeKey?: string;
  concurrencyKey?: string;
  requestedAt: Date;
}

/** A run request as the runner expects it; checked against the contract before it is sent. */
export function buildRunRequest(parts: RunRequestParts): RunRequest {
  const { trigger, events } = parts;
  const first = events[0];
  if (first === undefined) throw new Error('a run request needs at least one causing event');
  const definition = trigger.definition;
  const acceptedAt = events
    .map((event) => event.flintacceptedat)
    .reduce((earliest, at) => (Date.parse(at) < Date.parse(earliest) ? at : earliest));
  return RunRequestSchema.parse({
    runId: parts.runId,
    triggerId: trigger.id,
    triggerVersion: trigger.version,
    owner: definition.owner,
    target: definition.target,
    input: parts.input,
    eventIds: events.map((event) => event.id),
    dedupeKey: parts.dedupeKey,
    concurrencyKey: parts.concurrencyKey,
    concurrency: definition.concurrency,
    retry: definition.retry,
    requestedAt: parts.requestedAt.toISOString(),
    acceptedAt,
    traceparent: parts.traceparent ?? first.traceparent,
    provider: first.flintprovider,
  });
}

/** The Kafka record of a run request on the runs topic, keyed by run id. */
export function runRequestRecord(topic: string, request: RunRequest): OutgoingRecord {
  return {
    topic,
    key: request.runId,
    value: JSON.stringify(request),
    headers: request.traceparent ? { traceparent: request.traceparent } : {},
  };
}
