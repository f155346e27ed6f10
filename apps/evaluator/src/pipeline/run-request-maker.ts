import type { Clock } from '@flint/common';
import {
  batchRunRequest,
  type CompiledTrigger,
  compoundEvents,
  compoundRunRequest,
  debounceRunRequest,
  type EventContext,
  eventRunRequest,
  expectationRunRequest,
} from '@flint/conditions';
import type { CloudEvent, RunRequest } from '@flint/contracts';
import { inMembersSpan } from './members-span';

/**
 * Turns what fired into run requests (see `@flint/conditions`' run-request builders), a run of
 * several events inside a span that links them all. Throws `CelEvaluationError` (the caller's
 * `result="error"`) when an expression fails on the events at hand.
 */
export class RunRequestMaker {
  constructor(
    private readonly clock: Clock,
    private readonly runsTopic: string,
  ) {}

  /** One event fired the trigger; the run id follows the dedupe key and the window it opened. */
  forEvent(
    trigger: CompiledTrigger,
    event: EventContext,
    dedupeKey: string,
    windowOpenedAt: number,
  ): RunRequest {
    return eventRunRequest(trigger, event, dedupeKey, new Date(this.clock.now()), windowOpenedAt);
  }

  /** A batch closed; the run id follows its members, whatever order they came in. */
  forBatch(trigger: CompiledTrigger, events: readonly CloudEvent[]): RunRequest {
    if (events.length === 0) throw new Error(`an empty batch of trigger ${trigger.id}`);
    return inMembersSpan(
      this.runsTopic,
      { triggerId: trigger.id, by: 'batch' },
      events,
      (traceparent) => batchRunRequest(trigger, events, new Date(this.clock.now()), traceparent),
    );
  }

  /** A debounce came due: its last event, or all of them, with a run id that follows them all. */
  forDebounce(trigger: CompiledTrigger, events: readonly CloudEvent[]): RunRequest {
    if (events.length === 0) throw new Error(`an empty debounce of trigger ${trigger.id}`);
    return inMembersSpan(
      this.runsTopic,
      { triggerId: trigger.id, by: 'debounce' },
      events,
      (traceparent) => debounceRunRequest(trigger, events, new Date(this.clock.now()), traceparent),
    );
  }

  /** An expected event did not come in time. */
  forExpectation(trigger: CompiledTrigger, events: readonly CloudEvent[]): RunRequest {
    return inMembersSpan(
      this.runsTopic,
      { triggerId: trigger.id, by: 'expect' },
      events,
      (traceparent) =>
        expectationRunRequest(trigger, events, new Date(this.clock.now()), traceparent),
    );
  }

  /** Every member of a compound trigger has its event; `completing` is the one that arrived last. */
  forCompound(
    trigger: CompiledTrigger,
    members: ReadonlyMap<string, CloudEvent>,
    completing: CloudEvent,
  ): RunRequest {
    return inMembersSpan(
      this.runsTopic,
      { triggerId: trigger.id, by: 'compound' },
      compoundEvents(members),
      (traceparent) =>
        compoundRunRequest(trigger, members, completing, new Date(this.clock.now()), traceparent),
    );
  }
}
