import type { RunRequest } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';

/** The Kafka record of a run request on the runs topic, keyed by run id. */
export function runRequestRecord(topic: string, request: RunRequest): OutgoingRecord {
  return {
    topic,
    key: request.runId,
    value: JSON.stringify(request),
    headers: request.traceparent ? { traceparent: request.traceparent } : {},
  };
}
