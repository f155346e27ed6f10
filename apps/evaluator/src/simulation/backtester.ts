import type { Log } from '@flint/common';
import { type CelEngine, compileTrigger, resultFilterCompiler } from '@flint/conditions';
import {
  type BacktestRun,
  type CloudEvent,
  type DecisionOutcome,
  type InlineSource,
  type RunRequest,
  type StoredTrigger,
} from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import { batchEmitter } from '../batching/batch-emitter';
import { BatchManager } from '../batching/batch-manager';
import { CompoundTracker } from '../compound/compound-tracker';
import { TriggerIndex } from '../definitions/trigger-index';
import { DedupeWindow } from '../pipeline/dedupe-window';
import { EventProcessor } from '../pipeline/event-processor';
import { RunRequestMaker } from '../pipeline/run-request-maker';
import { DelayedRuns } from '../rate-limit/delayed-runs';
import { MemoryBatchStore } from './memory-batch-store';
import { MemoryCompoundStore } from './memory-compound-store';
import { MemoryDedupeKeys } from './memory-dedupe-keys';
import { MemoryRateLimits } from './memory-rate-limits';
import { SimulatedClock } from './simulated-clock';

/** The runs topic as the simulation names it; nothing is produced to it. */
const RUNS_TOPIC = 'flint.runs';
/** Keys the dedupe cache holds; the in-memory key store behind it remembers every window anyway. */
const DEDUPE_CACHE_KEYS = 10_000;

/** An archived event as the backtest replays it. */
export interface BacktestEvent {
  event: CloudEvent;
  /** Produced by a Flint service (signed), as the archive recorded it. */
  fromFlint: boolean;
}

export interface BacktestOptions {
  engine: CelEngine;
  /** The trigger backtested; the only one in the simulation's index. */
  trigger: StoredTrigger;
  /** The sources it names by id (a missing one is simply absent, as in the evaluator). */
  sources: ReadonlyMap<string, InlineSource>;
  /** Where the range starts: the simulated clock's first time. */
  from: number;
  /** How many of the would-be runs to keep (all are counted). */
  shown: number;
  log?: Log;
}

/** What a backtest found. */
export interface BacktestSummary {
  events: number;
  runs: number;
  /** Every would-be run's id: the ids the live evaluator gives the same runs. */
  runIds: ReadonlySet<string>;
  shown: BacktestRun[];
  decisions: Partial<Record<DecisionOutcome, number>>;
}

/**
 * Runs one trigger over recorded events with the evaluator's own code (`EventProcessor`, the batch
 * manager, the compound tracker, rate limits) on in-memory stores and a simulated clock that stands
 * at each event's acceptance time, so nothing leaves the process: run requests are collected, not
 * produced, cancels are not asked, and nothing is archived. Events must come in acceptance order.
 */
export class Backtester {
  private readonly clock: SimulatedClock;
  private readonly processor: EventProcessor;
  private readonly runIds = new Set<string>();
  private readonly shownRuns: BacktestRun[] = [];
  private readonly decisions: Partial<Record<DecisionOutcome, number>> = {};
  private events = 0;
  private offset = 0;

  constructor(private readonly options: BacktestOptions) {
    const { engine, trigger } = options;
    const log: Log = options.log ?? (() => undefined);
    const clock = (this.clock = new SimulatedClock(options.from));
    const index = new TriggerIndex(
      (definition) => compileTrigger(engine, definition),
      resultFilterCompiler(engine),
    );
    for (const [id, source] of options.sources) index.setSource(id, source);
    // A disabled trigger is backtested as if it were enabled: what it would do is the question.
    index.setTrigger(trigger.id, { ...trigger, enabled: true });
    const runs = new RunRequestMaker(clock, RUNS_TOPIC);
    const send = async (records: OutgoingRecord[]) => {
      for (const record of records) this.collect(String(record.value));
    };
    const metrics = { apply: () => undefined };
    const batches = new BatchManager({
      store: new MemoryBatchStore(),
      clock,
      trigger: (id) => {
        const indexed = index.get(id);
        return indexed?.kind === 'compiled' ? indexed : undefined;
      },
      emit: batchEmitter({ runs, runsTopic: RUNS_TOPIC, send, metrics, log }),
      log,
    });
    const rateLimits = new MemoryRateLimits();
    this.processor = new EventProcessor({
      index,
      dedupe: new DedupeWindow(DEDUPE_CACHE_KEYS),
      dedupeKeys: new MemoryDedupeKeys(),
      batches,
      compounds: new CompoundTracker(new MemoryCompoundStore(), clock, (t, members, completing) =>
        runs.forCompound(t, members, completing),
      ),
      rateLimits,
      delayed: new DelayedRuns({
        store: rateLimits,
        clock,
        send: async (run) => this.collect(run.request),
        log,
      }),
      // A backtest has no runs to cancel: the decision says a cancel would have been asked.
      cancels: { requestCancelByEvent: async () => [] },
      now: () => clock.now(),
      runs,
      runsTopic: RUNS_TOPIC,
      groupId: 'flint-backtest',
      // Only the outcomes are counted: which part of a filter was false is told without explaining.
      explainMisses: { perTrigger: 0, total: 0 },
      // A span per simulated event would flood the traces (and cost more than the simulation).
      traced: false,
      send,
      metrics,
      activity: { apply: () => undefined },
      archive: {
        write: async (entries) => {
          for (const entry of entries) {
            for (const decision of entry.decisions) {
              if (decision.triggerId !== trigger.id) continue;
              this.decisions[decision.outcome] = (this.decisions[decision.outcome] ?? 0) + 1;
            }
          }
        },
      },
      log,
    });
  }

  /**
   * Replays the next events (in acceptance order): the timers due before each fire first, then the
   * event is processed at its acceptance time, as the live evaluator would have, signed or not as it
   * arrived (an unsigned event has no owner, so only triggers open to any owner see it).
   */
  async feed(events: readonly BacktestEvent[]): Promise<void> {
    for (const { event, fromFlint } of events) {
      await this.clock.advanceTo(Date.parse(event.flintacceptedat));
      this.events++;
      await this.processor.process([
        {
          event,
          message: {
            topic: 'flint.events',
            partition: 0,
            offset: String(this.offset++),
            key: null,
          },
          fromFlint,
        },
      ]);
    }
  }

  /** Lets the timers due before `to` fire (a batch that times out inside the range), and answers. */
  async finish(to: number): Promise<BacktestSummary> {
    await this.clock.advanceTo(to - 1);
    return {
      events: this.events,
      runs: this.runIds.size,
      runIds: this.runIds,
      shown: this.shownRuns,
      decisions: this.decisions,
    };
  }

  /**
   * A run request the evaluator would have produced (encoded by it, so read without validating);
   * one run id starts one run, as in the runner.
   */
  private collect(value: string): void {
    const request = JSON.parse(value) as RunRequest;
    if (this.runIds.has(request.runId)) return;
    this.runIds.add(request.runId);
    if (this.shownRuns.length >= this.options.shown) return;
    this.shownRuns.push({
      runId: request.runId,
      requestedAt: new Date(this.clock.now()).toISOString(),
      eventIds: request.eventIds,
      input: request.input,
    });
  }
}
