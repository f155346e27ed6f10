import { errorText, type Log } from '@flint/common';
import type { Span } from '@opentelemetry/api';
import { contextFromTraceparent, inSpan } from '@flint/telemetry';
import {
  CelEvaluationError,
  type CompiledTrigger,
  EventContext,
  isForgedFlintEvent,
  judgeEvent,
  missDecision,
} from '@flint/conditions';
import {
  boundedDecisionValue,
  carriesSourceId,
  type CloudEvent,
  type Decision,
  encodeRunRequest,
  MAX_DECISIONS_PER_EVENT,
  type ReplayScope,
  replayScopeOf,
  RUN_STATUS_EVENT_TYPE_PREFIX,
  type RunRequest,
  runIdForKey,
  runStatusEventType,
  TERMINAL_RUN_STATUSES,
} from '@flint/contracts';
import { type IncomingMessage, type OutgoingRecord, processSpan } from '@flint/kafka';
import type { ArchiveEntry, RunControlRepository } from '@flint/store';
import { z } from 'zod';
import { ActivityTally } from '../activity/activity-tally';
import type { BatchManager } from '../batching/batch-manager';
import type { CompoundTracker } from '../compound/compound-tracker';
import type { Candidate, TriggerIndex } from '../definitions/trigger-index';
import { MetricsTally, type TriggerResult } from '../evaluator-metrics';
import type { DedupeKeyStore } from './dedupe-keys';
import type { DedupeWindow } from './dedupe-window';
import type { RunRequestMaker } from './run-request-maker';
import type { DelayedRuns } from '../rate-limit/delayed-runs';
import type { EvaluatorRateLimitRepository } from '../rate-limit/rate-limit-repository';

/** An event with the message of the events topic it came from (whose partition owns its batches). */
export interface ConsumedEvent {
  event: CloudEvent;
  message: Pick<IncomingMessage, 'topic' | 'partition' | 'offset' | 'key'>;
  /** A Flint service produced it (its signature holds): its owner and `flint.` type are believed. */
  fromFlint: boolean;
}

export interface EventProcessorOptions {
  index: TriggerIndex;
  dedupe: DedupeWindow;
  /** When each dedupe key opened its window: what a single event's run id is derived from. */
  dedupeKeys: DedupeKeyStore;
  batches: Pick<BatchManager, 'add' | 'flush' | 'flushKeyed' | 'satisfy'>;
  compounds: Pick<CompoundTracker, 'offer'>;
  rateLimits: Pick<EvaluatorRateLimitRepository, 'reserve'>;
  delayed: Pick<DelayedRuns, 'track'>;
  /** Where a `cancelOn` event asks to cancel its trigger's runs. */
  cancels: Pick<RunControlRepository, 'requestCancelByEvent'>;
  now: () => number;
  runs: RunRequestMaker;
  runsTopic: string;
  /** The evaluator's consumer group, named on each event's span. */
  groupId: string;
  /** Produces records; resolves once Kafka acknowledged all of them. */
  send: (records: OutgoingRecord[]) => Promise<unknown>;
  metrics: { apply(tally: MetricsTally): void };
  /** Per-trigger counts and recent events per source for the history API. */
  activity: { apply(tally: ActivityTally): void };
  /**
   * False: no span per event (a backtest simulating a million archived events); the live evaluator
   * traces each (the default).
   */
  traced?: boolean;
  /** Keeps each consumed event with its decisions; absent when the archive is switched off. */
  archive?: { write(entries: readonly ArchiveEntry[]): Promise<void> };
  /**
   * How many misses (`match` or condition false) of a pass the archived decisions explain, which
   * costs a few evaluations more each: the first `perTrigger` of each trigger, at most `total` in
   * all (default `EXPLAINED_MISSES`). The others still say which part was false, not why.
   */
  explainMisses?: { perTrigger: number; total: number };
  log: Log;
}

/**
 * The default bound on explained misses per pass. A quiet evaluator (small batches) explains every
 * miss; a busy one explains a sample of each trigger's misses per batch, so the archive's cost per
 * event stays flat however many events a trigger turns away.
 */
export const EXPLAINED_MISSES = { perTrigger: 10, total: 100 } as const;

/** One consumed event on its way to the archive, and what was decided for it so far. */
interface Archived {
  event: CloudEvent;
  fromFlint: boolean;
  owner: string | undefined;
  /** The archived event it replays, when a Flint service marked it so. */
  replayOf: string | undefined;
  decisions: Decision[];
  omitted: number;
}

/** A run request under a trigger's rate limit: what its slot is reserved with. */
interface Limited {
  /** The rate limit's key for the event. */
  key: string;
  /** When the event was evaluated: the slot's time. */
  now: number;
  partition: number;
  /** The event's provider, whose metrics count the outcome once known. */
  provider: string;
}

/** What one pass over a batch of events has decided so far. */
interface Pass {
  tally: MetricsTally;
  activity: ActivityTally;
  records: OutgoingRecord[];
  /**
   * Run requests of single events, whose run ids wait for their keys' windows; with a rate limit,
   * the slot is reserved under that id, so the outcome waits too.
   */
  keyed: {
    request: RunRequest;
    trigger: CompiledTrigger;
    key: string;
    at: number;
    decision: Decision;
    limited?: Limited;
  }[];
  /** Decisions naming a run of this pass's keys, whose ids are known once the windows are. */
  duplicates: { decision: Decision; taken: string }[];
  archived: Archived[];
  fullBatches: Set<string>;
  /** Dedupe keys taken in this pass, remembered only once its output is in Kafka. */
  keys: Map<string, { trigger: CompiledTrigger; key: string; at: number }>;
  /** Misses explained in this pass, in all and per trigger id (see `explainMisses`). */
  explained: { total: number; perTrigger: Map<string, number> };
}

/**
 * Decides what each event of a consumed batch fires, and gets it out: run requests produced, batched
 * events persisted, compound matches advanced. It resolves only when all of that is done, so the
 * caller may then commit the offsets. It keeps no state of its own until then: a pass that fails is
 * simply run again (every store step is idempotent), and dedupe keys and metrics are recorded only
 * after a pass succeeded.
 */
export class EventProcessor {
  constructor(private readonly options: EventProcessorOptions) {}

  async process(events: readonly ConsumedEvent[]): Promise<void> {
    const pass: Pass = {
      tally: new MetricsTally(),
      activity: new ActivityTally(),
      records: [],
      keyed: [],
      duplicates: [],
      archived: [],
      fullBatches: new Set(),
      keys: new Map(),
      explained: { total: 0, perTrigger: new Map() },
    };
    for (const consumed of events) {
      if (this.options.traced === false) {
        await this.consider(pass, consumed, undefined);
        continue;
      }
      const { event, message } = consumed;
      const span = processSpan(message, this.options.groupId, event.id);
      await inSpan(
        'flint-evaluator',
        span.name,
        {
          ...span.options,
          parent: contextFromTraceparent(event.traceparent),
          attributes: { ...span.options.attributes, 'cloudevents.event_type': event.type },
        },
        (span) => this.consider(pass, consumed, span),
      );
    }
    await this.assignRunIds(pass);
    if (pass.records.length > 0) await this.options.send(pass.records);
    if (this.options.archive) await this.options.archive.write(archiveEntries(pass));
    for (const batchId of pass.fullBatches) await this.options.batches.flush(batchId);
    for (const runId of finishedRuns(events)) await this.options.batches.flushKeyed(runId);
    for (const { trigger, key, at } of pass.keys.values()) {
      this.options.dedupe.remember(trigger.id, key, at, trigger.dedupeWindowMs);
    }
    this.options.metrics.apply(pass.tally);
    this.options.activity.apply(pass.activity);
  }

  /** Decides what one consumed event fires, into the pass; `span` is its processing span, if traced. */
  private async consider(
    pass: Pass,
    { event, message, fromFlint }: ConsumedEvent,
    span: Span | undefined,
  ): Promise<void> {
    const partition = message.partition;
    const provider = event.flintprovider;
    pass.tally.receive(provider);
    pass.activity.consume();
    const fromSource = carriesSourceId(provider);
    if (fromSource) pass.activity.event(event.flintsourceid, event);
    const replay = fromFlint ? replayScopeOf(event) : undefined;
    // A replay keeps its original's trust: the api's signature vouches for its replay marks only.
    const vouched = fromFlint && replay?.foreign !== true;
    if (isForgedFlintEvent(event, vouched)) {
      pass.tally.filter(provider, 'refused');
      this.options.log('warn', 'refused an event of a reserved flint. type not produced by Flint', {
        eventId: event.id,
        eventType: event.type,
        sourceId: event.flintsourceid,
      });
      return;
    }
    const candidates = offered(this.options.index.candidates(event, vouched), replay);
    span?.setAttribute('flint.triggers.candidates', candidates.length);
    // Run-status events that nothing listens to are Flint's own bookkeeping, not traffic.
    const archived =
      this.options.archive &&
      (candidates.length > 0 || !event.type.startsWith(RUN_STATUS_EVENT_TYPE_PREFIX))
        ? this.archived(pass, event, vouched, replay?.of)
        : undefined;
    if (candidates.length === 0) {
      // Every run publishes run-status events whether or not anything chains on them;
      // counting those as dropped would drown the drops users watch.
      if (!event.type.startsWith(RUN_STATUS_EVENT_TYPE_PREFIX)) {
        pass.tally.filter(provider, 'dropped');
      }
      return;
    }
    recordTypeSources(pass.activity, event, candidates, fromSource);
    const context = new EventContext(event);
    for (const candidate of candidates) {
      const decision: Decision = {
        triggerId: candidate.trigger.id,
        triggerVersion: candidate.trigger.version,
        outcome: 'matched',
        message: 'fired: a run was requested',
      };
      const result = await this.evaluate(
        candidate,
        context,
        partition,
        pass,
        decision,
        replay?.rerun === true,
      );
      if (archived) keep(archived, decision);
      // Undefined: a rate limit decides once the run id is known (`assignRunIds`).
      if (result === undefined) continue;
      pass.tally.filter(provider, result);
      pass.activity.count(candidate.trigger.id, result);
    }
  }

  private async evaluate(
    candidate: Candidate,
    context: EventContext,
    partition: number,
    pass: Pass,
    decision: Decision,
    rerun: boolean,
  ): Promise<TriggerResult | undefined> {
    const { trigger } = candidate;
    const event = context.event;
    if (trigger.kind === 'broken') {
      this.logError(trigger.id, event, trigger.reason);
      return note(decision, 'error', 'the trigger does not compile', { error: trigger.reason });
    }
    try {
      if (candidate.cancels) {
        const cancelled = await this.cancel(trigger, context, decision);
        if (cancelled !== undefined || candidate.members.length === 0)
          return cancelled ?? 'dropped';
      }
      const verdict = judgeEvent(trigger, context);
      if (!verdict.passes) {
        // Explaining costs a few evaluations more: only worth it when the archive keeps it.
        if (this.options.archive && this.mayExplain(pass, trigger.id)) {
          Object.assign(
            decision,
            missDecision(trigger.expressions.filter.explain(context, trigger.variable)),
          );
        } else if (verdict.missed === 'match') {
          note(decision, 'match_differed', `a match field differed for the event${UNEXPLAINED}`);
        } else {
          note(decision, 'condition_false', `the condition was false for the event${UNEXPLAINED}`);
        }
        return 'dropped';
      }
      // A replay asked to run again is its own key, so no window of the original swallows it.
      const key = rerun ? event.id : verdict.dedupeKey;
      const at = Date.parse(event.flintacceptedat);
      const taken = passKey(trigger.id, key);
      const seenUntil = this.options.dedupe.seenUntil(trigger.id, key, at);
      if (pass.keys.has(taken) || seenUntil !== undefined) {
        note(decision, 'deduplicated', `its dedupe window had already seen key ${shown(key)}`);
        if (firesAlone(trigger)) {
          if (seenUntil === undefined) pass.duplicates.push({ decision, taken });
          else decision.runId = runIdForKey(trigger.id, key, seenUntil - trigger.dedupeWindowMs);
        }
        return 'duplicate';
      }
      const result = await this.fire(trigger, candidate, context, key, partition, pass, decision);
      if (result !== 'duplicate' && !pass.keys.has(taken))
        pass.keys.set(taken, { trigger, key, at });
      return result;
    } catch (err) {
      if (err instanceof CelEvaluationError || err instanceof z.ZodError) {
        this.logError(trigger.id, event, errorText(err));
        note(decision, 'error', 'an expression failed on the event', { error: errorText(err) });
        return 'error';
      }
      throw err;
    }
  }

  /** Whether this pass may still explain a miss of this trigger; counts it when so. */
  private mayExplain(pass: Pass, triggerId: string): boolean {
    const bound = this.options.explainMisses ?? EXPLAINED_MISSES;
    const ofTrigger = pass.explained.perTrigger.get(triggerId) ?? 0;
    if (pass.explained.total >= bound.total || ofTrigger >= bound.perTrigger) return false;
    pass.explained.total++;
    pass.explained.perTrigger.set(triggerId, ofTrigger + 1);
    return true;
  }

  /**
   * A `cancelOn` event: when its condition holds, asks to cancel the trigger's queued or running runs
   * of its key (the runner ends them CANCELLED); the event then fires nothing. Undefined when the
   * condition is false, so an event the trigger also listens to may still fire it.
   */
  private async cancel(
    trigger: CompiledTrigger,
    context: EventContext,
    decision: Decision,
  ): Promise<TriggerResult | undefined> {
    const cancel = trigger.expressions.cancel;
    if (cancel === undefined || !cancel.filter.matches(context, trigger.variable)) {
      note(decision, 'condition_false', 'the cancelOn condition is false for the event');
      return undefined;
    }
    const event = context.event;
    const cancelKey = cancel.key?.evaluate({ event: context.cel, trigger: trigger.variable });
    const runIds = await this.options.cancels.requestCancelByEvent({
      triggerId: trigger.id,
      cancelKey,
      eventId: event.id,
      acceptedAt: new Date(event.flintacceptedat),
    });
    const scope = cancelKey === undefined ? '' : ` with key ${shown(cancelKey)}`;
    return note(
      decision,
      'cancelling',
      runIds.length === 0
        ? `no queued or running run${scope} to cancel`
        : `cancelling ${runIds.length} queued or running run(s)${scope}: ${boundedDecisionValue(runIds.join(', '))}`,
    );
  }

  private async fire(
    trigger: CompiledTrigger,
    candidate: Candidate,
    context: EventContext,
    dedupeKey: string,
    partition: number,
    pass: Pass,
    decision: Decision,
  ): Promise<TriggerResult | undefined> {
    const event = context.event;
    const activation = { event: context.cel, trigger: trigger.variable };
    if (trigger.expect) {
      return this.expect(trigger, candidate, activation, partition, event, decision);
    }
    if (trigger.batch || trigger.debounce) {
      // A debounce collects like a batch whose deadline each event moves (see BatchManager).
      const keyExpression = trigger.expressions.batchKey ?? trigger.expressions.debounceKey;
      const batchKey = keyExpression?.evaluate(activation) ?? '';
      const added = await this.options.batches.add(trigger, batchKey, partition, event);
      if (added.status === 'duplicate') {
        return note(decision, 'deduplicated', 'the batch already holds this event');
      }
      if (added.full) pass.fullBatches.add(added.batchId);
      decision.batchId = added.batchId;
      if (trigger.debounce) {
        note(decision, 'debounced', 'collected; the run starts once its key has been quiet');
      } else {
        note(decision, 'batched', added.full ? 'collected; the batch is full' : 'collected');
      }
      return 'matched';
    }
    if (trigger.compound) {
      const correlationKey = trigger.expressions.correlate?.evaluate(activation) ?? '';
      const offer = await this.options.compounds.offer(
        trigger,
        this.options.index.membersOf(trigger.id),
        candidate.members,
        correlationKey,
        event,
      );
      pass.tally.compoundExpired += offer.expired;
      switch (offer.status) {
        case 'waiting':
          note(decision, 'waiting', 'kept; the match waits for its other members');
          return 'matched';
        case 'duplicate':
          return note(decision, 'deduplicated', 'the match already holds this event');
        case 'out_of_order':
          note(decision, 'out_of_order', 'it came before the members it must follow');
          return 'dropped';
        case 'failed':
          this.logError(trigger.id, event, errorText(offer.error));
          return note(decision, 'error', 'the match failed', { error: errorText(offer.error) });
        case 'fired': {
          const limited = await this.limit(
            trigger,
            offer.runRequest,
            limitOf(trigger, activation, this.options.now(), partition, event),
            pass,
            decision,
          );
          if (limited) return limited;
          // A replayed member resends its match's run request (same run id) and is no new match.
          if (!offer.replay) return 'matched';
          return note(decision, 'deduplicated', 'its match had already fired');
        }
      }
    }
    // Built now, so a mapping (or a rate limit key) that fails counts as this event's error; the
    // run id follows the window of the key, looked up for the whole pass at once, and a rate limit
    // reserves its slot under that id then.
    const at = Date.parse(event.flintacceptedat);
    const request = this.options.runs.forEvent(trigger, context, dedupeKey, at);
    if (trigger.rateLimit === undefined) {
      pass.keyed.push({ request, trigger, key: dedupeKey, at, decision });
      return 'matched';
    }
    const limited = limitOf(trigger, activation, this.options.now(), partition, event);
    pass.keyed.push({ request, trigger, key: dedupeKey, at, decision, limited });
    return undefined;
  }

  /**
   * An absence trigger: an `after` event opens a wait for its key, a `missing` event ends the key's
   * waits (or, without `after`, restarts the silence). The run starts from the batch timers when a
   * wait passes; here nothing is sent.
   */
  private async expect(
    trigger: CompiledTrigger,
    candidate: Candidate,
    activation: { event: unknown; trigger: unknown },
    partition: number,
    event: CloudEvent,
    decision: Decision,
  ): Promise<TriggerResult> {
    const expected = trigger.expect as NonNullable<CompiledTrigger['expect']>;
    const key = trigger.expressions.expectKey?.evaluate(activation) ?? '';
    const reached = (member: string | undefined) =>
      member !== undefined && candidate.members.includes(member);
    if (expected.after !== undefined && reached(expected.missing)) {
      await this.options.batches.satisfy(trigger, key);
      note(decision, 'expecting', `ends the waits of key ${shown(key)}; it starts no run`);
      return 'matched';
    }
    if (reached(expected.after ?? expected.missing)) {
      const added = await this.options.batches.add(trigger, key, partition, event);
      if (added.status === 'duplicate') {
        return note(decision, 'deduplicated', 'the wait already holds this event');
      }
      decision.batchId = added.batchId;
      note(decision, 'expecting', `opens the wait of key ${shown(key)}`);
      return 'matched';
    }
    note(decision, 'not_listening', 'the event is neither the awaited nor the missing one');
    return 'dropped';
  }

  /**
   * Queues the run request unless the trigger's rate limit says otherwise: returns why not
   * (`rate_limited`: dropped; `delayed`: kept in the database until its slot, then sent).
   */
  private async limit(
    trigger: CompiledTrigger,
    request: RunRequest,
    limited: Limited,
    pass: Pass,
    decision: Decision,
  ): Promise<'rate_limited' | 'delayed' | undefined> {
    decision.runId = request.runId;
    const rateLimit = trigger.rateLimit;
    if (rateLimit === undefined) {
      this.queue(pass, request);
      return undefined;
    }
    const { key, partition } = limited;
    const encoded = encodeRunRequest(request);
    const reserved = await this.options.rateLimits.reserve({
      triggerId: trigger.id,
      key,
      runId: request.runId,
      now: new Date(limited.now),
      limit: rateLimit.limit,
      periodMs: rateLimit.periodMs,
      ...(rateLimit.onExceed === 'delay' && {
        delay: { request: String(encoded.value), partition },
      }),
    });
    switch (reserved.status) {
      case 'admitted':
        this.queue(pass, request);
        return undefined;
      case 'limited':
        note(decision, 'rate_limited', 'the rate limit was exceeded; the run was dropped');
        return 'rate_limited';
      case 'delayed':
        note(
          decision,
          'delayed',
          `the rate limit was exceeded; the run waits until ${reserved.at.toISOString()}`,
        );
        this.options.delayed.track({
          runId: request.runId,
          triggerId: trigger.id,
          partition,
          dueAt: reserved.at,
          request: String(encoded.value),
        });
        return 'delayed';
    }
  }

  /**
   * Gives each single-event run request the id of its dedupe key's window: the same id for every
   * event of the key within the window of its first sighting, however the sightings fall around a
   * clock boundary, and on any replica. One statement for the pass's keys, rate-limited or not;
   * then each rate-limited request reserves its slot under its id, in the order of the events.
   */
  private async assignRunIds(pass: Pass): Promise<void> {
    if (pass.keyed.length === 0) return;
    const opened = await this.options.dedupeKeys.open(
      pass.keyed.map(({ trigger, key, at }) => ({
        triggerId: trigger.id,
        key,
        at,
        windowMs: trigger.dedupeWindowMs,
      })),
    );
    for (const [i, { request, trigger, key, decision, limited }] of pass.keyed.entries()) {
      const openedAt = opened[i] as number;
      const keyed = { ...request, runId: runIdForKey(trigger.id, key, openedAt) };
      // The cache remembers the key until its window ends, not a window past this sighting.
      pass.keys.set(passKey(trigger.id, key), { trigger, key, at: openedAt });
      if (limited === undefined) {
        decision.runId = keyed.runId;
        this.queue(pass, keyed);
        continue;
      }
      const result = (await this.limit(trigger, keyed, limited, pass, decision)) ?? 'matched';
      pass.tally.filter(limited.provider, result);
      pass.activity.count(trigger.id, result);
    }
    for (const { decision, taken } of pass.duplicates) {
      const first = pass.keys.get(taken);
      if (first) decision.runId = runIdForKey(first.trigger.id, first.key, first.at);
    }
  }

  private archived(
    pass: Pass,
    event: CloudEvent,
    fromFlint: boolean,
    replayOf: string | undefined,
  ): Archived {
    const archived: Archived = {
      event,
      fromFlint,
      owner: this.options.index.ownerOf(event, fromFlint),
      replayOf,
      decisions: [],
      omitted: 0,
    };
    pass.archived.push(archived);
    return archived;
  }

  private queue(pass: Pass, request: RunRequest): void {
    pass.records.push({ topic: this.options.runsTopic, ...encodeRunRequest(request) });
    pass.tally.runRequest(request.provider);
  }

  private logError(triggerId: string, event: CloudEvent, error: string): void {
    this.options.log('warn', 'trigger evaluation failed; the event does not fire it', {
      triggerId,
      eventId: event.id,
      eventType: event.type,
      sourceId: event.flintsourceid,
      error,
    });
  }
}

/**
 * Events also count for the `event` and `run-status` sources they reached by type (a candidate's
 * members, less its plain event types and the event's own source), once each: that is where custom
 * and run-status events, which have no source of their own, are listed.
 */
function recordTypeSources(
  activity: ActivityTally,
  event: CloudEvent,
  candidates: readonly Candidate[],
  fromSource: boolean,
): void {
  let recorded: string[] | undefined;
  for (const { trigger, members } of candidates) {
    for (const member of members) {
      if (fromSource && member === event.flintsourceid) continue;
      if (trigger.definition.eventTypes?.includes(member) || recorded?.includes(member)) continue;
      (recorded ??= []).push(member);
      activity.event(member, event);
    }
  }
}

/** What a rate-limited run request of this event reserves its slot with. */
function limitOf(
  trigger: CompiledTrigger,
  activation: { event: unknown; trigger: unknown },
  now: number,
  partition: number,
  event: CloudEvent,
): Limited {
  const key = trigger.expressions.rateLimitKey?.evaluate(activation) ?? '';
  return { key, now, partition, provider: event.flintprovider };
}

/** Records what was decided; returns the outcome's result, so a branch decides and answers at once. */
function note(
  decision: Decision,
  outcome: Decision['outcome'],
  message: string,
  extra: Pick<Decision, 'error'> = {},
): TriggerResult {
  decision.outcome = outcome;
  decision.message = message;
  if (extra.error !== undefined) decision.error = boundedDecisionValue(extra.error);
  return RESULT_OF[outcome];
}

/**
 * The candidates a replayed event is offered: the one trigger it names, less those its original
 * already fired. Only an event a Flint service produced (the API) is believed about that.
 */
function offered(candidates: Candidate[], replay: ReplayScope | undefined): Candidate[] {
  if (replay === undefined) return candidates;
  return candidates.filter(
    ({ trigger }) =>
      (replay.only === undefined || trigger.id === replay.only) &&
      !replay.skip.includes(trigger.id),
  );
}

/** What a miss left unexplained says: why not, and where to see the false part. */
const UNEXPLAINED =
  ' (not explained: its batch had explained its fill of misses; test-fire the event to see why)';

/** How each outcome counts in the metrics and trigger activity. */
const RESULT_OF: Record<Decision['outcome'], TriggerResult> = {
  matched: 'matched',
  not_listening: 'dropped',
  match_differed: 'dropped',
  condition_false: 'dropped',
  error: 'error',
  deduplicated: 'duplicate',
  batched: 'matched',
  debounced: 'matched',
  expecting: 'matched',
  waiting: 'matched',
  out_of_order: 'dropped',
  rate_limited: 'rate_limited',
  delayed: 'delayed',
  cancelling: 'cancelling',
};

/** A single event's run follows its dedupe key's window (no batch, debounce, compound or wait). */
function firesAlone(trigger: CompiledTrigger): boolean {
  return !trigger.expect && !trigger.batch && !trigger.debounce && !trigger.compound;
}

/** Keys and values in decision messages are shown, cut short. */
function shown(text: string): string {
  return boundedDecisionValue(JSON.stringify(text));
}

/** Keeps a decision unless the event has its fill of them. */
function keep(archived: Archived, decision: Decision): void {
  if (archived.decisions.length < MAX_DECISIONS_PER_EVENT) archived.decisions.push(decision);
  else archived.omitted++;
}

function archiveEntries(pass: Pass): ArchiveEntry[] {
  return pass.archived.map(({ event, fromFlint, owner, replayOf, decisions, omitted }) => ({
    acceptedAt: new Date(event.flintacceptedat),
    eventId: event.id,
    fromFlint,
    ...(owner === undefined ? {} : { owner }),
    sourceId: event.flintsourceid,
    provider: event.flintprovider,
    type: event.type,
    event,
    fired: decisions
      .filter((d) => d.outcome === 'matched' || d.outcome === 'delayed')
      .map((d) => d.triggerId),
    decisions,
    decisionsOmitted: omitted,
    ...(replayOf === undefined ? {} : { replayOf }),
  }));
}

function passKey(triggerId: string, key: string): string {
  return `${triggerId}\u0000${key}`;
}
/**
 * The runs whose terminal status events are among `events`: the batches keyed by their ids (the
 * items a workflow emitted with `ctx.emit`, batched by `event.source`) are complete.
 */
function finishedRuns(events: readonly ConsumedEvent[]): string[] {
  return events
    .filter(
      ({ event, fromFlint }) =>
        fromFlint && event.flintprovider === 'runner' && TERMINAL_RUN_EVENT_TYPES.has(event.type),
    )
    .map(({ event }) => event.subject)
    .filter((runId): runId is string => runId !== undefined);
}

const TERMINAL_RUN_EVENT_TYPES = new Set(TERMINAL_RUN_STATUSES.map(runStatusEventType));
