import { createHash } from 'node:crypto';
import {
  type CloudEvent,
  DLQ_HEADERS,
  type RunError,
  type RunStatus,
  type RunStatusEvent,
  runStatusEventType,
} from '@flint/contracts';
import { encodeCloudEvent } from '@flint/kafka';
import type { OutboxMessage, RunRecord } from '@flint/store';

/** CloudEvent `source` of every run-status event. */
export const RUN_STATUS_SOURCE = 'flint/runner';

/** Input and result larger than this are left out of status events (they stay in the run record). */
export const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;

export interface StatusDetails {
  attempt: number;
  error?: RunError;
  result?: unknown;
  occurredAt?: Date;
}

/** What a run-status event says of its run: a stored run, or one being claimed (not read back yet). */
export type RunStatusSubject = Pick<
  RunRecord,
  'runId' | 'triggerId' | 'workflow' | 'input' | 'owner' | 'request'
>;

export interface RunMessageTopics {
  events: string;
  dlq: string;
}

/**
 * The outbox messages that announce a run's transitions. They are committed in the same transaction
 * as the transition, so the events topic says exactly what the runs table says (see docs/runner.md).
 */
export class RunStatusMessages {
  constructor(private readonly topics: RunMessageTopics) {}

  /** A run-status CloudEvent on the events topic, keyed by trigger so a trigger's runs stay in order. */
  status(run: RunStatusSubject, status: RunStatus, details: StatusDetails): OutboxMessage {
    const event = runStatusCloudEvent(run, status, details);
    const encoded = encodeCloudEvent(event);
    return {
      topic: this.topics.events,
      key: encoded.key,
      value: event.data,
      headers: encoded.headers,
    };
  }

  /** The run request on the dead-letter topic, with why it failed and where it was read from. */
  deadLetter(
    run: RunRecord,
    error: RunError,
    attempts: number,
    failedAt = new Date(),
  ): OutboxMessage {
    const why =
      `run ${run.runId} of trigger ${run.triggerId} failed after ${attempts} attempt(s): ` +
      `${error.type}: ${error.message}`;
    return {
      topic: this.topics.dlq,
      key: run.runId,
      value: run.request,
      headers: {
        [DLQ_HEADERS.reason]: 'processing-failed',
        [DLQ_HEADERS.error]: why.slice(0, 4000),
        [DLQ_HEADERS.sourceTopic]: run.source.topic,
        [DLQ_HEADERS.sourcePartition]: String(run.source.partition),
        [DLQ_HEADERS.sourceOffset]: run.source.offset,
        [DLQ_HEADERS.failedAt]: failedAt.toISOString(),
      },
    };
  }
}

export function runStatusCloudEvent(
  run: RunStatusSubject,
  status: RunStatus,
  details: StatusDetails,
): CloudEvent {
  const occurredAt = (details.occurredAt ?? new Date()).toISOString();
  const data: RunStatusEvent = {
    runId: run.runId,
    triggerId: run.triggerId,
    ...(run.workflow ? { workflow: run.workflow } : {}),
    status,
    attempt: details.attempt,
    ...(details.error ? { error: details.error } : {}),
    ...(details.result !== undefined && fits(details.result) ? { result: details.result } : {}),
    ...(run.input !== undefined && run.input !== null && fits(run.input)
      ? { input: run.input }
      : {}),
    occurredAt,
  };
  return {
    specversion: '1.0',
    id: eventId(run.runId, status),
    source: RUN_STATUS_SOURCE,
    type: runStatusEventType(status),
    subject: run.runId,
    time: occurredAt,
    datacontenttype: 'application/json',
    data,
    flintsourceid: run.triggerId,
    flintprovider: 'runner',
    // A run's status is its trigger owner's event: chained triggers of other owners do not see it.
    flintowner: run.owner,
    // For a trigger chained on this event, Flint accepted it now: the start of its latency clock.
    flintacceptedat: occurredAt,
    ...(run.request.traceparent ? { traceparent: run.request.traceparent } : {}),
  };
}

/** Stable per run and status (each status happens once per run), so a republished event is recognisable. */
function eventId(runId: string, status: RunStatus): string {
  const id = `${runId}:${status.toLowerCase()}`;
  if (id.length <= 512) return id;
  return `${createHash('sha256').update(runId).digest('hex')}:${status.toLowerCase()}`;
}

function fits(value: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(value) ?? '') <= MAX_EVENT_PAYLOAD_BYTES;
}
