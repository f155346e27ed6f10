import {
  type CloudEvent,
  type RunRequest,
  RunRequestSchema,
  runIdForEvents,
  runIdForKey,
} from '@flint/contracts';
import type { CelActivation } from './cel-engine';
import type { CompiledTrigger } from './compiled-trigger';
import { EventContext } from './event-context';
import { eventJson } from './event-json';
import type { FilterPart } from './trigger-expressions';
import type { JsonValue } from './json-value';

/**
 * Turning what fired a trigger into its run request: the mapped input, the concurrency key and the
 * run id derived from the causes. The evaluator and the API's test-fire share these, so a test-fire
 * shows exactly the input and run id the evaluator would produce. Each throws `CelEvaluationError`
 * when an expression fails on the events at hand.
 */

/** What decides whether one event fires a trigger, before any memory (dedupe, batches) is asked. */
export type EventVerdict =
  /** The `match` or `condition` (`missed`) is false for the event. */
  | { passes: false; missed: FilterPart }
  /** The event passes; its dedupe key is the trigger's key expression, else the event id. */
  | { passes: true; dedupeKey: string };

export function judgeEvent(trigger: CompiledTrigger, context: EventContext): EventVerdict {
  const missed = trigger.expressions.filter.missed(context, trigger.variable);
  if (missed !== undefined) return { passes: false, missed };
  const activation = { event: context.cel, trigger: trigger.variable };
  return {
    passes: true,
    dedupeKey: trigger.expressions.dedupeKey?.evaluate(activation) ?? context.event.id,
  };
}

/**
 * One event fired the trigger; the run id follows the dedupe key and the window it opened, at
 * `windowOpenedAt` (ms since the epoch: when the key was first seen within the trigger's window).
 */
export function eventRunRequest(
  trigger: CompiledTrigger,
  context: EventContext,
  dedupeKey: string,
  requestedAt: Date,
  windowOpenedAt: number,
): RunRequest {
  const activation = { event: context.cel, trigger: trigger.variable };
  return buildRunRequest({
    trigger,
    runId: runIdForKey(trigger.id, dedupeKey, windowOpenedAt),
    events: [context.event],
    input: trigger.expressions.input.map(activation, () => eventJson(context.event)),
    dedupeKey,
    keys: activation,
    requestedAt,
  });
}

/** A batch closed; the run id follows its members, whatever order they came in. */
export function batchRunRequest(
  trigger: CompiledTrigger,
  events: readonly CloudEvent[],
  requestedAt: Date,
  traceparent?: string,
): RunRequest {
  const contexts = events.map((event) => new EventContext(event));
  const first = contexts[0];
  if (first === undefined) throw new Error(`an empty batch of trigger ${trigger.id}`);
  const activation: CelActivation = {
    batch: contexts.map((context) => context.cel),
    event: first.cel,
    trigger: trigger.variable,
  };
  return buildRunRequest({
    trigger,
    runId: runIdForEvents(
      trigger.id,
      events.map((event) => event.id),
    ),
    events,
    traceparent,
    input: trigger.expressions.input.map(activation, () => ({ events: events.map(eventJson) })),
    keys: { event: first.cel, trigger: trigger.variable },
    requestedAt,
  });
}

/**
 * A debounce came due: with `deliver: all` its run is that of a batch of its events; with `last` the
 * input is mapped from the last event alone. Either way the run id follows every event it collected,
 * which the run lists as its causes.
 */
export function debounceRunRequest(
  trigger: CompiledTrigger,
  events: readonly CloudEvent[],
  requestedAt: Date,
  traceparent?: string,
): RunRequest {
  if (trigger.debounce?.deliver === 'all') {
    return batchRunRequest(trigger, events, requestedAt, traceparent);
  }
  const lastEvent = events.at(-1);
  if (lastEvent === undefined) throw new Error(`an empty debounce of trigger ${trigger.id}`);
  const last = new EventContext(lastEvent);
  const activation: CelActivation = { event: last.cel, trigger: trigger.variable };
  return buildRunRequest({
    trigger,
    runId: runIdForEvents(
      trigger.id,
      events.map((event) => event.id),
    ),
    events,
    traceparent,
    input: trigger.expressions.input.map(activation, () => eventJson(lastEvent)),
    keys: activation,
    requestedAt,
  });
}

/**
 * An expected event did not come: the run's `event` is the one that opened the wait (`after`), or
 * the last one before the silence.
 */
export function expectationRunRequest(
  trigger: CompiledTrigger,
  events: readonly CloudEvent[],
  requestedAt: Date,
  traceparent?: string,
): RunRequest {
  const cause = trigger.expect?.after === undefined ? events.at(-1) : events[0];
  if (cause === undefined) throw new Error(`an empty expectation of trigger ${trigger.id}`);
  const context = new EventContext(cause);
  const activation: CelActivation = { event: context.cel, trigger: trigger.variable };
  return buildRunRequest({
    trigger,
    runId: runIdForEvents(trigger.id, [cause.id]),
    events: [cause],
    traceparent,
    input: trigger.expressions.input.map(activation, () => eventJson(cause)),
    keys: activation,
    requestedAt,
  });
}

/** The members' events of a compound match, the earliest accepted first. */
export function compoundEvents(members: ReadonlyMap<string, CloudEvent>): CloudEvent[] {
  return [...members.values()].sort(
    (a, b) => Date.parse(a.flintacceptedat) - Date.parse(b.flintacceptedat),
  );
}

/** Every member of a compound trigger has its event; `completing` is the one that arrived last. */
export function compoundRunRequest(
  trigger: CompiledTrigger,
  members: ReadonlyMap<string, CloudEvent>,
  completing: CloudEvent,
  requestedAt: Date,
  traceparent?: string,
): RunRequest {
  const last = new EventContext(completing);
  const events = Object.fromEntries(
    [...members].map(([member, event]) => [member, new EventContext(event).cel]),
  );
  const activation: CelActivation = { events, event: last.cel, trigger: trigger.variable };
  const ordered = compoundEvents(members);
  return buildRunRequest({
    trigger,
    runId: runIdForEvents(
      trigger.id,
      ordered.map((event) => event.id),
    ),
    events: ordered,
    traceparent,
    input: trigger.expressions.input.map(activation, () => ({
      events: Object.fromEntries([...members].map(([member, event]) => [member, eventJson(event)])),
    })),
    keys: { event: last.cel, trigger: trigger.variable },
    requestedAt,
  });
}

export interface RunRequestParts {
  trigger: CompiledTrigger;
  runId: string;
  /** The causing events, first (the one whose provider and trace the run inherits) first. */
  events: readonly CloudEvent[];
  /** The span the run continues, when not the first event's: that of a batch or compound match. */
  traceparent?: string;
  input: JsonValue;
  dedupeKey?: string;
  /** What the concurrency key, the cancel key and the priority are evaluated over. */
  keys: CelActivation;
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
    concurrencyKey: trigger.expressions.concurrencyKey?.evaluate(parts.keys),
    concurrency: definition.concurrency,
    cancelKey: trigger.expressions.cancel?.key?.evaluate(parts.keys),
    priority: trigger.expressions.priority?.evaluate(parts.keys),
    retry: definition.retry,
    requestedAt: parts.requestedAt.toISOString(),
    acceptedAt,
    traceparent: parts.traceparent ?? first.traceparent,
    provider: first.flintprovider,
  });
}
