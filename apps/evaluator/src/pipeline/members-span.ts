import type { CloudEvent } from '@flint/contracts';
import {
  contextFromTraceparent,
  ending,
  linkFromTraceparent,
  traceparentOf,
} from '@flint/telemetry';
import { createSpan } from '@flint/kafka';
import { type Link, trace } from '@opentelemetry/api';

export const EVALUATOR_TRACER = 'flint-evaluator';

/**
 * Makes the run request of several events (a closed batch, a due debounce or absence wait, a
 * completed compound match) inside a span
 * of its own (`create <runs topic>`), `build` receiving that span's `traceparent` for the request. The span continues the
 * trace of the first event, as a single event's run does, and links the span of every member, so the
 * runner's span (its child) leads back to all the events that caused the run, not only the first.
 */
export function inMembersSpan<T>(
  runsTopic: string,
  fired: { triggerId: string; by: 'batch' | 'debounce' | 'expect' | 'compound' },
  events: readonly CloudEvent[],
  build: (traceparent: string | undefined) => T,
): T {
  const links = events
    .map((event) => linkFromTraceparent(event.traceparent))
    .filter((link): link is Link => link !== undefined);
  // The run request is one message, created now and sent with the rest of the pass's output.
  const create = createSpan(runsTopic, {});
  const span = trace.getTracer(EVALUATOR_TRACER).startSpan(
    create.name,
    {
      ...create.options,
      links,
      attributes: {
        ...create.options.attributes,
        'flint.trigger_id': fired.triggerId,
        'flint.fired_by': fired.by,
        'flint.event_count': events.length,
      },
    },
    contextFromTraceparent(events[0]?.traceparent),
  );
  return ending(span, () => build(traceparentOf(span)));
}
