import { systemClock } from '@flint/common';
import { CelEngine, compileTrigger } from '@flint/conditions';
import { type CloudEvent, StoredTriggerSchema } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import { TriggerActivityRecorder } from '../../apps/evaluator/src/activity/trigger-activity-recorder';
import { TriggerIndex } from '../../apps/evaluator/src/definitions/trigger-index';
import { DedupeWindow } from '../../apps/evaluator/src/pipeline/dedupe-window';
import { MemoryDedupeKeys } from '../../apps/evaluator/src/simulation/memory-dedupe-keys';
import {
  EventProcessor,
  EXPLAINED_MISSES,
  type ConsumedEvent,
} from '../../apps/evaluator/src/pipeline/event-processor';
import { RunRequestMaker } from '../../apps/evaluator/src/pipeline/run-request-maker';
import { batchEmitter } from '../../apps/evaluator/src/batching/batch-emitter';
import { BatchManager } from '../../apps/evaluator/src/batching/batch-manager';
import { CompoundTracker } from '../../apps/evaluator/src/compound/compound-tracker';
import { DelayedRuns } from '../../apps/evaluator/src/rate-limit/delayed-runs';
import { MemoryBatchStore } from '../../apps/evaluator/src/simulation/memory-batch-store';
import { MemoryCompoundStore } from '../../apps/evaluator/src/simulation/memory-compound-store';
import { MemoryRateLimits } from '../../apps/evaluator/src/simulation/memory-rate-limits';
import type { Measurement, ScenarioResult } from '../support/result';
import { percentiles, round } from '../support/stats';

const GOAL_EVENTS_PER_S = 50_000;
const GOAL_TRIGGERS = 10_000;
const BATCH_SIZE = 500;
const ROUNDS = 5;

export interface EvaluatorOptions {
  triggerCounts: number[];
  /**
   * Trigger counts at which the archive's cost is measured (see `archiveComparison`); the archive's
   * rows go nowhere, their insert is the `archive` scenario's business.
   */
  archiveCounts: number[];
  /**
   * How long events are pushed through for each trigger count (in rounds), after a warm-up of a
   * quarter of it that also gives every trigger at least one event.
   */
  measureMs: number;
}

/**
 * What trigger i does, one shape per trigger in turn: several CEL and `match` shapes, a dedupe key,
 * a rate limit, a debounce, an absence trigger, a batch, a compound of two types, a priority with a
 * concurrency key, and a `cancelOn` of its own type. Each takes one event in a hundred of those
 * reaching it (`m % 100`); the `cancelOn` one also cancels on another one in a hundred.
 */
function mechanism(i: number): Record<string, unknown> {
  const type = `bench.t${i}`;
  const shapes: Record<string, unknown>[] = [
    { condition: 'event.data.m % 100 == 0' },
    {
      match: { 'data.kind': ['a', 'b'], 'data.n': { gte: 0 } },
      condition: 'event.data.m % 100 == 1',
    },
    {
      condition:
        "event.data.kind.startsWith('a') && event.data.m % 100 == 2 && has(event.data.tags)",
    },
    {
      condition: "event.data.tags.exists(t, t == 'x') && event.data.m % 100 == 3",
      dedupe: { key: 'event.data.kind', window: '1s' },
    },
    {
      condition: 'event.data.m % 100 == 4',
      rateLimit: { limit: 1000, period: '1m', key: 'event.data.kind' },
    },
    { condition: 'event.data.m % 100 == 5', debounce: { period: '1s', key: 'event.data.kind' } },
    { condition: 'event.data.m % 100 == 6', expect: { missing: type, for: '1h' } },
    {
      condition: 'event.data.m % 100 == 7',
      batch: { size: 10, timeout: '1s' },
      input: { n: 'size(batch)' },
    },
    {
      eventTypes: [type, `${type}.done`],
      condition: 'event.data.m % 100 == 8',
      logic: 'all',
      within: '1m',
      correlate: 'event.data.kind',
      input: { n: "events['" + type + "'].data.n" },
    },
    {
      condition: 'event.data.m % 100 == 9',
      priority: "event.data.kind == 'a' ? 5 : 0",
      concurrency: { key: 'event.data.kind', allowConcurrent: true, max: 4, onBusy: 'queue' },
    },
    {
      condition: 'event.data.m % 100 == 10',
      cancelOn: {
        eventTypes: [type],
        condition: 'event.data.m % 100 == 11',
        match: 'event.data.kind',
      },
    },
  ];
  return shapes[i % shapes.length] as Record<string, unknown>;
}

/** How the archive is set in a measurement: off, or on with every miss explained or the bounded few. */
type ArchiveMode = 'off' | 'every miss explained' | 'misses explained within the bound';

/**
 * `EventProcessor` with the real trigger index and CEL engine, no Kafka: run requests go to an
 * in-memory send. Trigger i listens to event type `bench.t<i>` and is of the i-th shape of
 * `MECHANISMS`; events cycle over the types with a growing n, so every event reaches exactly one
 * trigger through the index.
 */
export async function evaluatorAlone(options: EvaluatorOptions): Promise<ScenarioResult> {
  const began = Date.now();
  const engine = await CelEngine.create();
  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  const rates = new Map<number, number>();
  const cpuPerEvent = new Map<number, number>();
  for (const count of options.triggerCounts) {
    const setupStart = Date.now();
    const index = triggerIndex(engine, count);
    const setupMs = Date.now() - setupStart;
    const bench = benchProcessor(index, count, 'off');
    // Each trigger's first event also pays for what is set up on first use, so the warm-up gives
    // every trigger one: at 100,000 triggers a quarter of the time alone reached only part of them.
    await pushFor(bench.processor, bench.nextBatch, options.measureMs / 4, count);
    bench.counts.runRequests = 0;
    bench.counts.cancellations = 0;
    // The machine is shared and noisy: the median of several short rounds, not one long one.
    let events = 0;
    const roundRates: number[] = [];
    const roundCpuUs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = await measureRound(bench, options.measureMs / ROUNDS);
      roundRates.push(round.rate);
      roundCpuUs.push(round.cpuUsPerEvent);
      events += round.events;
    }
    const rate = percentiles(roundRates).p50;
    const cpuUs = percentiles(roundCpuUs).p50;
    rates.set(count, rate);
    cpuPerEvent.set(count, cpuUs);
    const { runRequests, cancellations } = bench.counts;
    details[`${count} triggers`] = {
      setupMs,
      events,
      runRequests,
      cancellations,
      roundRates,
      rate,
      roundCpuUs,
      cpuUs,
    };
    measurements.push({
      scenario: 'evaluator',
      metric: `events/s with ${count.toLocaleString('en-US')} triggers`,
      value: Math.round(rate),
      unit: 'events/s',
      ...(count === GOAL_TRIGGERS
        ? { goal: `≥ ${GOAL_EVENTS_PER_S}`, met: rate >= GOAL_EVENTS_PER_S }
        : {}),
      note:
        `${round((100 * runRequests) / events, 2)} % fired, ` +
        `${round((100 * cancellations) / events, 2)} % cancelled; ${round(cpuUs, 1)} µs CPU per event; ` +
        `index built in ${setupMs} ms`,
    });
  }
  const fewest = Math.min(...options.triggerCounts);
  const most = Math.max(...options.triggerCounts);
  const smallest = rates.get(fewest);
  const largest = rates.get(most);
  if (smallest && largest && options.triggerCounts.length > 1) {
    const ratio = largest / smallest;
    measurements.push({
      scenario: 'evaluator',
      metric: 'throughput at most triggers / at fewest',
      value: round(100 * ratio),
      unit: '%',
      goal: '≥ 80',
      met: ratio >= 0.8,
      // Steadier than the rates when other processes share the cores.
      note: `CPU per event at fewest / at most: ${round((100 * (cpuPerEvent.get(fewest) ?? 0)) / (cpuPerEvent.get(most) ?? 1))} %`,
    });
  }
  for (const count of options.archiveCounts) {
    measurements.push(...(await archiveComparison(engine, count, options.measureMs, details)));
  }
  return { name: 'evaluator', durationMs: Date.now() - began, measurements, details };
}

/**
 * The same events through three processors on one index, with the archive off, on with every miss
 * explained, and on with misses explained within `EXPLAINED_MISSES`; their rounds alternate, so a
 * neighbour's load on this shared machine weighs on the three alike. Rates and CPU time per event
 * (this process's, steadier than rates when other processes compete for the cores), as medians.
 */
async function archiveComparison(
  engine: CelEngine,
  count: number,
  measureMs: number,
  details: Record<string, unknown>,
): Promise<Measurement[]> {
  const index = triggerIndex(engine, count);
  const modes: ArchiveMode[] = ['off', 'every miss explained', 'misses explained within the bound'];
  const benches = modes.map((mode) => benchProcessor(index, count, mode));
  for (const bench of benches) {
    await pushFor(bench.processor, bench.nextBatch, measureMs / 4, count);
  }
  const rounds = benches.map(() => ({ rates: [] as number[], cpuUs: [] as number[] }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, bench] of benches.entries()) {
      const round = await measureRound(bench, measureMs / ROUNDS);
      rounds[i]?.rates.push(round.rate);
      rounds[i]?.cpuUs.push(round.cpuUsPerEvent);
    }
  }
  const medians = rounds.map(({ rates, cpuUs }) => ({
    rate: percentiles(rates).p50,
    cpuUs: percentiles(cpuUs).p50,
  }));
  const off = medians[0] as { rate: number; cpuUs: number };
  const measurements: Measurement[] = [];
  for (const [i, mode] of modes.entries()) {
    const { rate, cpuUs } = medians[i] as { rate: number; cpuUs: number };
    details[`${count} triggers, archive ${mode}`] = { ...rounds[i], rate, cpuUs };
    measurements.push({
      scenario: 'evaluator',
      metric: `events/s with ${count.toLocaleString('en-US')} triggers, archive ${mode === 'off' ? 'off' : `on, ${mode}`}`,
      value: Math.round(rate),
      unit: 'events/s',
      note:
        `${round(cpuUs, 1)} µs CPU per event` +
        (mode === 'off'
          ? '; rounds alternate with the two below'
          : `; ${round((100 * rate) / off.rate)} % of the rate and ${round((100 * cpuUs) / off.cpuUs)} % of the CPU per event with the archive off`),
    });
  }
  return measurements;
}

function triggerIndex(engine: CelEngine, count: number): TriggerIndex {
  const index = new TriggerIndex((definition) => compileTrigger(engine, definition));
  for (let i = 0; i < count; i++) {
    index.setTrigger(
      `t${i}`,
      StoredTriggerSchema.parse({
        kind: 'trigger',
        id: `t${i}`,
        version: 1,
        updatedAt: '2026-01-01T00:00:00Z',
        eventTypes: [`bench.t${i}`],
        target: { type: 'local', workflow: 'echo' },
        input: { n: 'event.data.n' },
        ...mechanism(i),
      }),
    );
  }
  return index;
}

interface BenchProcessor {
  processor: EventProcessor;
  nextBatch: () => ConsumedEvent[];
  counts: { runRequests: number; cancellations: number };
}

function benchProcessor(index: TriggerIndex, count: number, archive: ArchiveMode): BenchProcessor {
  const counts = { runRequests: 0, cancellations: 0 };
  const runs = new RunRequestMaker(systemClock, 'bench.runs');
  const send = async (records: OutgoingRecord[]) => {
    counts.runRequests += records.length;
  };
  const compiledTrigger = (id: string) => {
    const trigger = index.get(id);
    return trigger?.kind === 'compiled' ? trigger : undefined;
  };
  // Stateful mechanisms keep their state in memory here: this measures the evaluator, not the
  // database (whose round trips the integration tests and the end-to-end scenario cover).
  const batches = new BatchManager({
    store: new MemoryBatchStore(),
    clock: systemClock,
    trigger: compiledTrigger,
    emit: batchEmitter({
      runs,
      runsTopic: 'bench.runs',
      send,
      metrics: { apply: () => undefined },
      log: () => undefined,
    }),
    log: () => undefined,
  });
  const rateLimits = new MemoryRateLimits();
  const processor = new EventProcessor({
    index,
    dedupe: new DedupeWindow(1_000_000),
    dedupeKeys: new MemoryDedupeKeys(),
    batches,
    compounds: new CompoundTracker(
      new MemoryCompoundStore(),
      systemClock,
      (trigger, members, completing) => runs.forCompound(trigger, members, completing),
    ),
    rateLimits,
    delayed: new DelayedRuns({
      store: rateLimits,
      clock: systemClock,
      send: async () => undefined,
      log: () => undefined,
    }),
    // Counted, not stored: the cancellation itself is one UPDATE the integration tests cover.
    cancels: {
      requestCancelByEvent: async () => {
        counts.cancellations++;
        return [];
      },
    },
    now: () => systemClock.now(),
    runs,
    runsTopic: 'bench.runs',
    groupId: 'bench-evaluator',
    send,
    metrics: { apply: () => undefined },
    // The real recorder, so its cost on the hot path is measured; its flushes go nowhere.
    activity: new TriggerActivityRecorder({
      sink: { record: async () => undefined },
      now: () => Date.now(),
      flushIntervalMs: 5000,
      eventsPerSource: 100,
      retentionMs: 3_600_000,
      excerptChars: 2048,
      log: () => undefined,
    }),
    // The archive's rows go nowhere: their insert is the `archive` scenario's business.
    ...(archive !== 'off' && {
      archive: { write: async () => undefined },
      explainMisses:
        archive === 'every miss explained'
          ? { perTrigger: Infinity, total: Infinity }
          : EXPLAINED_MISSES,
    }),
    log: () => undefined,
  });
  let n = 0;
  const nextBatch = (): ConsumedEvent[] =>
    Array.from({ length: BATCH_SIZE }, () => ({
      event: benchEvent(n, count),
      message: { topic: 'flint.events', partition: 0, offset: String(n++), key: null },
      fromFlint: true,
    }));
  return { processor, nextBatch, counts };
}

async function measureRound(
  bench: BenchProcessor,
  ms: number,
): Promise<{ events: number; rate: number; cpuUsPerEvent: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const events = await pushFor(bench.processor, bench.nextBatch, ms);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { events, rate: events / seconds, cpuUsPerEvent: (used.user + used.system) / events };
}

/** Pushes batches for `ms`, and on until at least `minEvents` went through; returns how many. */
async function pushFor(
  processor: EventProcessor,
  nextBatch: () => ConsumedEvent[],
  ms: number,
  minEvents = 0,
): Promise<number> {
  const until = Date.now() + ms;
  let events = 0;
  while (Date.now() < until || events < minEvents) {
    const batch = nextBatch();
    await processor.process(batch);
    events += batch.length;
  }
  return events;
}

function benchEvent(n: number, triggers: number): CloudEvent {
  const at = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `bench-${n}`,
    source: 'flint/bench',
    type: `bench.t${n % triggers}`,
    time: at,
    datacontenttype: 'application/json',
    // m scatters n (Knuth's multiplicative hash), so each trigger's `m % 100` condition takes 1 % of
    // its events, whatever the number of triggers.
    data: { n, m: (n * 2654435761) >>> 0, kind: n % 2 === 0 ? 'a' : 'b', tags: ['x', 'y'] },
    flintsourceid: 'bench',
    flintprovider: 'api',
    flintacceptedat: at,
    flintowner: 'default',
  };
}
