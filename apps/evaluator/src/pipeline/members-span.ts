import type { CloudEvent } from '@flint/contracts';
import {
  contextFromTraceparent,
  ending,
  linkFromTraceparent,
  traceparentOf,
} from '@flint/telemetry';
import { type Link, SpanKind, trace } from '@opentelemetry/api';

export const EVALUATOR_TRACER = 'flint-evaluator';

/**
 * Makes the run request of several events (a closed batch, a completed compound match) inside a span
 * of its own, `build` receiving that span's `traceparent` for the request. The span continues the
 * trace of the first event, as a single event's run does, and links the span of every member, so the
 * runner's span (its child) leads back to all the events that caused the run, not only the first.
 */
export function inMembersSpan<T>(
  name: string,
  triggerId: string,
  events: readonly CloudEvent[],
  build: (traceparent: string | undefined) => T,
): T {
  const links = events
    .map((event) => linkFromTraceparent(event.traceparent))
    .filter((link): link is Link => link !== undefined);
  const span = trace.getTracer(EVALUATOR_TRACER).startSpan(
    name,
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'create',
        'messaging.batch.message_count': events.length,
        'flint.trigger_id': triggerId,
      },
    },
    contextFromTraceparent(events[0]?.traceparent),
  );
  return ending(span, () => build(traceparentOf(span)));
}
