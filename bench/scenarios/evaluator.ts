import { systemClock } from '@flint/common';
import { CelEngine, compileTrigger } from '@flint/conditions';
import { type CloudEvent, StoredTriggerSchema } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import { TriggerActivityRecorder } from '../../apps/evaluator/src/activity/trigger-activity-recorder';
import { TriggerIndex } from '../../apps/evaluator/src/definitions/trigger-index';
import { DedupeWindow } from '../../apps/evaluator/src/pipeline/dedupe-window';
import {
  EventProcessor,
  type PartitionedEvent,
} from '../../apps/evaluator/src/pipeline/event-processor';
import { RunRequestMaker } from '../../apps/evaluator/src/pipeline/run-request-maker';
import type { Measurement, ScenarioResult } from '../support/result';
import { percentiles, round } from '../support/stats';

const GOAL_EVENTS_PER_S = 50_000;
const GOAL_TRIGGERS = 10_000;
const BATCH_SIZE = 500;
const ROUNDS = 5;

export interface EvaluatorOptions {
  triggerCounts: number[];
  /** How long events are pushed through for each trigger count (in rounds), after a warm-up of a quarter of it. */
  measureMs: number;
}

/**
 * `EventProcessor` with the real trigger index and CEL engine, no Kafka: run requests go to an
 * in-memory send. Trigger i listens to event type `bench.t<i>` with `event.data.n % 100 == 0`; events
 * cycle over the types with a growing n, so every event reaches exactly one trigger through the index
 * and 1 % of them fire a run.
 */
export async function evaluatorAlone(options: EvaluatorOptions): Promise<ScenarioResult> {
  const began = Date.now();
  const engine = await CelEngine.create();
  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  const rates = new Map<number, number>();
  for (const count of options.triggerCounts) {
    const setupStart = Date.now();
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
          condition: 'event.data.n % 100 == 0',
          target: { type: 'local', workflow: 'echo' },
          input: { n: 'event.data.n' },
        }),
      );
    }
    const setupMs = Date.now() - setupStart;
    let runRequests = 0;
    const processor = new EventProcessor({
      index,
      dedupe: new DedupeWindow(1_000_000),
      batches: {
        add: () => Promise.reject(new Error('no batch trigger in this benchmark')),
        flush: async () => undefined,
        satisfy: () => Promise.reject(new Error('no absence trigger in this benchmark')),
      },
      compounds: {
        offer: () => Promise.reject(new Error('no compound trigger in this benchmark')),
      },
      rateLimits: {
        reserve: () => Promise.reject(new Error('no rate-limited trigger in this benchmark')),
      },
      delayed: { track: () => undefined },
      now: () => systemClock.now(),
      runs: new RunRequestMaker(systemClock),
      runsTopic: 'bench.runs',
      send: async (records: OutgoingRecord[]) => {
        runRequests += records.length;
      },
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
      log: () => undefined,
    });
    let n = 0;
    const nextBatch = (): PartitionedEvent[] =>
      Array.from({ length: BATCH_SIZE }, () => ({
        event: benchEvent(n++, count),
        partition: 0,
        fromFlint: true,
      }));
    await pushFor(processor, nextBatch, options.measureMs / 4);
    runRequests = 0;
    // The machine is shared and noisy: the median of several short rounds, not one long one.
    let events = 0;
    const roundRates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = process.hrtime.bigint();
      const pushed = await pushFor(processor, nextBatch, options.measureMs / ROUNDS);
      roundRates.push(pushed / (Number(process.hrtime.bigint() - start) / 1e9));
      events += pushed;
    }
    const rate = percentiles(roundRates).p50;
    rates.set(count, rate);
    details[`${count} triggers`] = { setupMs, events, runRequests, roundRates, rate };
    measurements.push({
      scenario: 'evaluator',
      metric: `events/s with ${count.toLocaleString('en-US')} triggers`,
      value: Math.round(rate),
      unit: 'events/s',
      ...(count === GOAL_TRIGGERS
        ? { goal: `≥ ${GOAL_EVENTS_PER_S}`, met: rate >= GOAL_EVENTS_PER_S }
        : {}),
      note: `${round((100 * runRequests) / events, 2)} % fired; index built in ${setupMs} ms`,
    });
  }
  const smallest = rates.get(Math.min(...options.triggerCounts));
  const largest = rates.get(Math.max(...options.triggerCounts));
  if (smallest && largest && options.triggerCounts.length > 1) {
    const ratio = largest / smallest;
    measurements.push({
      scenario: 'evaluator',
      metric: 'throughput at most triggers / at fewest',
      value: round(100 * ratio),
      unit: '%',
      goal: '≥ 80',
      met: ratio >= 0.8,
    });
  }
  return { name: 'evaluator', durationMs: Date.now() - began, measurements, details };
}

async function pushFor(
  processor: EventProcessor,
  nextBatch: () => PartitionedEvent[],
  ms: number,
): Promise<number> {
  const until = Date.now() + ms;
  let events = 0;
  while (Date.now() < until) {
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
    data: { n },
    flintsourceid: 'bench',
    flintprovider: 'webhook',
    flintacceptedat: at,
  };
}
