import { type CelActivation, EventContext, eventJson } from '@flint/conditions';
import {
  type CloudEvent,
  dedupeWindowIndex,
  type RunRequest,
  runIdForEvents,
  runIdForKey,
} from '@flint/contracts';
import type { Clock } from '../clock';
import type { CompiledTrigger } from '../definitions/compiled-trigger';
import { inMembersSpan } from './members-span';
import { buildRunRequest } from './run-requests';

/**
 * Turns what fired into run requests: maps the input, evaluates the concurrency key and derives the
 * run id from the causes. Throws `CelEvaluationError` (the caller's `result="error"`) when an
 * expression fails on the events at hand.
 */
export class RunRequestMaker {
  constructor(private readonly clock: Clock) {}

  /** One event fired the trigger; the run id follows the dedupe key and its window. */
  forEvent(trigger: CompiledTrigger, event: EventContext, dedupeKey: string): RunRequest {
    const activation = { event: event.cel, trigger: trigger.variable };
    const windowIndex = dedupeWindowIndex(
      new Date(event.event.flintacceptedat),
      trigger.dedupeWindowMs,
    );
    return buildRunRequest({
      trigger,
      runId: runIdForKey(trigger.id, dedupeKey, windowIndex),
      events: [event.event],
      input: trigger.expressions.input.map(activation, () => eventJson(event.event)),
      dedupeKey,
      concurrencyKey: trigger.expressions.concurrencyKey?.evaluate(activation),
      requestedAt: new Date(this.clock.now()),
    });
  }

  /** A batch closed; the run id follows its members, whatever order they came in. */
  forBatch(trigger: CompiledTrigger, events: readonly CloudEvent[]): RunRequest {
    const contexts = events.map((event) => new EventContext(event));
    const first = contexts[0];
    if (first === undefined) throw new Error(`an empty batch of trigger ${trigger.id}`);
    const activation: CelActivation = {
      batch: contexts.map((context) => context.cel),
      event: first.cel,
      trigger: trigger.variable,
    };
    return inMembersSpan('flint.batch emit', trigger.id, events, (traceparent) =>
      buildRunRequest({
        trigger,
        runId: runIdForEvents(
          trigger.id,
          events.map((event) => event.id),
        ),
        events,
        traceparent,
        input: trigger.expressions.input.map(activation, () => ({
          events: events.map(eventJson),
        })),
        concurrencyKey: trigger.expressions.concurrencyKey?.evaluate({
          event: first.cel,
          trigger: trigger.variable,
        }),
        requestedAt: new Date(this.clock.now()),
      }),
    );
  }

  /** Every member of a compound trigger has its event; `completing` is the one that arrived last. */
  forCompound(
    trigger: CompiledTrigger,
    members: ReadonlyMap<string, CloudEvent>,
    completing: CloudEvent,
  ): RunRequest {
    const contexts = new Map(
      [...members].map(([member, event]) => [member, new EventContext(event)]),
    );
    const last = new EventContext(completing);
    const events = Object.fromEntries(
      [...contexts].map(([member, context]) => [member, context.cel]),
    );
    const activation: CelActivation = { events, event: last.cel, trigger: trigger.variable };
    const ordered = [...members.values()].sort(
      (a, b) => Date.parse(a.flintacceptedat) - Date.parse(b.flintacceptedat),
    );
    return inMembersSpan('flint.compound emit', trigger.id, ordered, (traceparent) =>
      buildRunRequest({
        trigger,
        runId: runIdForEvents(
          trigger.id,
          ordered.map((event) => event.id),
        ),
        events: ordered,
        traceparent,
        input: trigger.expressions.input.map(activation, () => ({
          events: Object.fromEntries(
            [...members].map(([member, event]) => [member, eventJson(event)]),
          ),
        })),
        concurrencyKey: trigger.expressions.concurrencyKey?.evaluate({
          event: last.cel,
          trigger: trigger.variable,
        }),
        requestedAt: new Date(this.clock.now()),
      }),
    );
  }
}
