import { randomUUID } from 'node:crypto';
import {
  batchRunRequest,
  type CelEngine,
  CelEvaluationError,
  compileTrigger,
  compoundRunRequest,
  type CompiledTrigger,
  debounceRunRequest,
  missDecision,
  expectationRunRequest,
  EventContext,
  eventRunRequest,
  eventOwnerOf,
  judgeEvent,
  type Listener,
  listenersOf,
  ownerReaches,
  resultFilterCompiler,
  sourceKey,
  typeKey,
} from '@flint/conditions';
import {
  boundedDecisionValue,
  carriesSourceId,
  type CloudEvent,
  CloudEventSchema,
  type Decision,
  formatZodIssues,
  type InlineSource,
  type Provider,
  type RunRequest,
  SOURCE_KINDS,
  sampleEventTypeOf,
  type StoredTrigger,
  type TestEvent,
  type TestFireDeferral,
  type TestFireReasonCode,
} from '@flint/contracts';
import { z } from 'zod';

/**
 * What a test-fire found; `request` is the run request a match would produce, `decision` the
 * record the evaluator would archive for the event and this trigger.
 */
export type TestOutcome =
  | {
      matched: false;
      event: CloudEvent;
      reason: { code: TestFireReasonCode; message: string };
      decision: Decision;
    }
  | {
      matched: true;
      event: CloudEvent;
      dedupeKey: string;
      request: RunRequest;
      deferred?: TestFireDeferral;
      decision: Decision;
    };

/** The completed sample event breaks the CloudEvent contract; `issues` are relative to it. */
export class InvalidTestEventError extends Error {
  override readonly name = 'InvalidTestEventError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super('the sample event is not a valid CloudEvent');
  }
}

/**
 * Decides what a trigger makes of a sample event with the evaluator's own code (`@flint/conditions`):
 * whether the event reaches it (source or type), passes its match and condition, its dedupe key, and
 * the run request it would produce. It has no memory: dedupe windows, batches and compound matches
 * are not consulted, so a batch trigger shows the run of a batch of this one event and a compound
 * trigger that of a match this event completes.
 */
export class TriggerTester {
  constructor(
    private readonly engine: CelEngine,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `sources` holds every source the trigger names by id (missing ones are simply absent). */
  test(
    trigger: StoredTrigger,
    sources: ReadonlyMap<string, InlineSource>,
    sample: TestEvent,
    traceparent: string,
  ): TestOutcome {
    const listening = listenersOf(
      trigger,
      (id) => sources.get(id),
      resultFilterCompiler(this.engine),
    );
    const event = this.complete(trigger, sources, sample, traceparent);
    const decided = { triggerId: trigger.id, triggerVersion: trigger.version };
    const refused = (code: TestFireReasonCode, message: string, decision: Decision) => ({
      matched: false as const,
      event,
      reason: { code, message },
      decision,
    });
    const notListening = (message: string) =>
      refused('not_listening', message, { ...decided, outcome: 'not_listening', message });
    const failed = (code: TestFireReasonCode, message: string) =>
      refused(code, message, {
        ...decided,
        outcome: 'error',
        message: 'an expression failed on the event',
        error: boundedDecisionValue(message),
      });
    const keyed = listening.listeners.filter((listener) => reaches(listener, event));
    const owner = () => eventOwnerOf(event, true, (id) => sourceOwnerOf(trigger, sources, id));
    const reached = keyed.filter((listener) => ownerReaches(trigger, listener, true, owner));
    if (keyed.length > 0 && reached.length === 0) {
      return notListening(
        `the event belongs to owner ${owner() ?? '(none)'}, and trigger ${trigger.id} of owner ` +
          `${trigger.owner} takes events of its own owner only` +
          (trigger.fromOwners === undefined
            ? ''
            : ` and, by type, of: ${[trigger.fromOwners].flat().join(', ')}`),
      );
    }
    if (reached.length === 0) return notListening(unreached(trigger, listening, event));
    const compiled = compileTrigger(this.engine, trigger);
    if (compiled.kind === 'broken') return failed('condition_error', compiled.reason);
    const context = new EventContext(event);
    // As the evaluator does: a cancelOn event whose condition holds cancels and fires nothing.
    const firing = reached.filter((listener) => !listener.cancels);
    if (firing.length < reached.length) {
      try {
        const cancel = compiled.expressions.cancel;
        if (cancel?.filter.matches(context, compiled.variable)) {
          const key = cancel.key?.evaluate({ event: context.cel, trigger: compiled.variable });
          const message =
            "would cancel the trigger's queued or running runs" +
            (key === undefined ? '' : ` with key ${JSON.stringify(key)}`);
          return refused('cancels', message, { ...decided, outcome: 'cancelling', message });
        }
        if (firing.length === 0) {
          return refused(
            'condition_false',
            "the trigger's cancelOn condition is false for this event",
            {
              ...decided,
              outcome: 'condition_false',
              message: 'the cancelOn condition is false for the event',
            },
          );
        }
      } catch (err) {
        if (!(err instanceof CelEvaluationError)) throw err;
        return failed('condition_error', `${err.expression}: ${err.message}`);
      }
    }
    let dedupeKey: string;
    try {
      const verdict = judgeEvent(compiled, context);
      if (!verdict.passes) {
        const miss = compiled.expressions.filter.explain(context, compiled.variable);
        return refused(
          'condition_false',
          `the trigger's ${describeFilter(trigger)} is false for this event`,
          { ...decided, ...missDecision(miss) },
        );
      }
      dedupeKey = verdict.dedupeKey;
    } catch (err) {
      if (!(err instanceof CelEvaluationError)) throw err;
      return failed('condition_error', `${err.expression}: ${err.message}`);
    }
    const requestedAt = this.now();
    try {
      const request = compiled.expect
        ? expectationRunRequest(compiled, [event], requestedAt)
        : compiled.debounce
          ? debounceRunRequest(compiled, [event], requestedAt)
          : compiled.expressions.scope === 'batch'
            ? batchRunRequest(compiled, [event], requestedAt)
            : compiled.expressions.scope === 'compound'
              ? compoundRunRequest(
                  compiled,
                  new Map(firing.map((listener) => [listener.member, event])),
                  event,
                  requestedAt,
                )
              : // The id the run gets when its dedupe key is new: its window opens with this event.
                eventRunRequest(
                  compiled,
                  context,
                  dedupeKey,
                  requestedAt,
                  Date.parse(event.flintacceptedat),
                );
      const deferred = deferral(
        compiled,
        event,
        firing.map((listener) => listener.member),
      );
      return {
        matched: true,
        event,
        dedupeKey,
        request,
        ...(deferred && { deferred }),
        decision: { ...decided, ...matchedDecision(compiled, request) },
      };
    } catch (err) {
      if (!(err instanceof CelEvaluationError || err instanceof z.ZodError)) throw err;
      const message =
        err instanceof z.ZodError
          ? formatZodIssues(err)
              .map((issue) => `${issue.path || 'run request'}: ${issue.message}`)
              .join('; ')
          : err.message;
      return failed('input_error', message);
    }
  }

  /**
   * Fills what the sample leaves out: id, time, acceptance time, and — so that the event reaches the
   * trigger unless the sample says otherwise — the type, source id and provider of the first place
   * the trigger listens, and the trigger's owner.
   */
  private complete(
    trigger: StoredTrigger,
    sources: ReadonlyMap<string, InlineSource>,
    sample: TestEvent,
    traceparent: string,
  ): CloudEvent {
    const now = this.now().toISOString();
    const origin = firstOrigin(trigger, sources);
    const candidate = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'flint/test',
      time: now,
      flintacceptedat: now,
      traceparent,
      flintowner: trigger.owner,
      ...origin,
      ...(sample.data === undefined ? {} : { datacontenttype: 'application/json' }),
      ...sample,
    };
    const parsed = CloudEventSchema.safeParse(candidate);
    if (!parsed.success) throw new InvalidTestEventError(formatZodIssues(parsed.error));
    return parsed.data;
  }
}

interface Origin {
  type: string;
  flintsourceid: string;
  flintprovider: Provider;
}

/**
 * Where the sample seems to come from: the first source the trigger listens to (its events' usual
 * type), else the first event type it listens to. A type the trigger's `match` requires wins, so a
 * trigger that matches on the type is reached by a sample that names none.
 */
function firstOrigin(trigger: StoredTrigger, sources: ReadonlyMap<string, InlineSource>): Origin {
  const matchedType = [trigger.match?.type].flat()[0];
  const origin = sourceOrigin(trigger, sources) ?? {
    type: trigger.eventTypes?.[0] ?? 'flint.test',
    flintsourceid: 'api',
    flintprovider: 'api',
  };
  return typeof matchedType === 'string' ? { ...origin, type: matchedType } : origin;
}

function sourceOrigin(
  trigger: StoredTrigger,
  sources: ReadonlyMap<string, InlineSource>,
): Origin | undefined {
  for (const reference of trigger.sources ?? []) {
    const source = typeof reference === 'string' ? sources.get(reference) : reference;
    if (source === undefined) continue;
    const type = sampleEventTypeOf(source.provider, source.config) ?? 'flint.test';
    if (carriesSourceId(source.provider)) {
      return { type, flintsourceid: source.id, flintprovider: source.provider as Provider };
    }
    // Custom and run-status events come from the service that publishes them.
    const service = SOURCE_KINDS[source.provider].service as Provider;
    return { type, flintsourceid: service, flintprovider: service };
  }
  return undefined;
}

function sourceOwnerOf(
  trigger: StoredTrigger,
  sources: ReadonlyMap<string, InlineSource>,
  id: string,
): string | undefined {
  const inline = trigger.sources?.find((source) => typeof source !== 'string' && source.id === id);
  return (typeof inline === 'object' ? inline : sources.get(id))?.owner;
}

/** As the evaluator's index decides: the listener's key names the event, and its filter takes it. */
function reaches(listener: Listener, event: CloudEvent): boolean {
  const keyed =
    listener.key === sourceKey(event.flintsourceid) || listener.key === typeKey(event.type);
  return keyed && (listener.accepts === undefined || listener.accepts(event));
}

/**
 * The decision of an event that passes: what the evaluator would do with it first (collect it, wait,
 * or request the run), with no memory of earlier events.
 */
function matchedDecision(
  trigger: CompiledTrigger,
  request: RunRequest,
): Pick<Decision, 'outcome' | 'message' | 'runId'> {
  if (trigger.expect) {
    return {
      outcome: 'expecting',
      message: 'counted by the absence trigger; it starts no run now',
    };
  }
  if (trigger.debounce) {
    return {
      outcome: 'debounced',
      message: 'collected; the run starts once its key has been quiet',
    };
  }
  if (trigger.batch) return { outcome: 'batched', message: 'collected into a batch' };
  return { outcome: 'matched', message: 'fired: a run was requested', runId: request.runId };
}

function unreached(
  trigger: StoredTrigger,
  listening: ReturnType<typeof listenersOf>,
  event: CloudEvent,
): string {
  const parts: string[] = [];
  if (listening.members.length > 0) parts.push(`listens to ${listening.members.join(', ')}`);
  if (listening.unresolved.length > 0) {
    parts.push(`names sources that do not exist: ${listening.unresolved.join(', ')}`);
  }
  const origin = carriesSourceId(event.flintprovider)
    ? `from source ${event.flintsourceid} (${event.flintprovider})`
    : `from provider ${event.flintprovider}`;
  return (
    `trigger ${trigger.id} ${parts.join(' and ') || 'listens to nothing enabled'}; ` +
    `the event is of type ${event.type} ${origin}, which does not reach it`
  );
}

/**
 * When the run would not start at once: a debounce holds it until its key has been quiet for the
 * period (if no other event of the key comes), and at the latest `maxWait` after the first event.
 */
function deferral(
  trigger: CompiledTrigger,
  event: CloudEvent,
  members: readonly string[],
): TestFireDeferral | undefined {
  const { debounce, expect } = trigger;
  const acceptedAt = Date.parse(event.flintacceptedat);
  if (expect?.after !== undefined && members.includes(expect.missing)) {
    return {
      by: 'expect',
      until: event.flintacceptedat,
      message: `would end the waits of its key for a ${expect.missing} event; it starts no run`,
    };
  }
  if (expect !== undefined) {
    const at = new Date(acceptedAt + expect.waitMs).toISOString();
    return {
      by: 'expect',
      until: at,
      message:
        expect.after === undefined
          ? `would run at ${at} if no other ${expect.missing} event of its key comes by then`
          : `would run at ${at} unless a ${expect.missing} event of its key comes by then`,
    };
  }
  if (debounce === undefined) return undefined;
  const until = new Date(acceptedAt + debounce.periodMs).toISOString();
  const definition = trigger.definition.debounce;
  const latest =
    debounce.maxWaitMs === undefined
      ? ''
      : `, and at the latest ${definition?.maxWait} after the first event of its key`;
  return {
    by: 'debounce',
    until,
    message:
      `would be debounced until ${until}: the run starts once its key has been quiet for ` +
      `${definition?.period}${latest}, with ${debounce.deliver === 'all' ? 'every event' : 'the last event'}`,
  };
}

function describeFilter(trigger: StoredTrigger): string {
  if (trigger.match && trigger.condition) return '`match` or `condition`';
  return trigger.match ? '`match`' : '`condition`';
}
