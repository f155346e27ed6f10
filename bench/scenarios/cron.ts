import { setMaxListeners } from 'node:events';
import { systemClock } from '@flint/common';
import { type Store, openStore } from '@flint/store';
import { CronSourceRunner } from '../../apps/providers/cron/src/firing/cron-source-runner';
import { parseSchedule } from '@flint/provider-sdk';
import type { SlotLedger } from '../../apps/providers/cron/src/slots/slot-ledger';
import { SqlSlotLedger } from '../../apps/providers/cron/src/slots/sql-slot-ledger';
import { InMemorySlotLedger } from '../../apps/providers/cron/src/slots/testing/in-memory-slot-ledger';
import { createScratchDatabase } from '../support/database';
import type { Measurement, ScenarioResult } from '../support/result';
import { percentiles, round } from '../support/stats';

const P99_GOAL_MS = 100;

export interface CronOptions {
  schedules: number;
  measureMs: number;
}

/**
 * N `CronSourceRunner`s on the same every-second schedule and the real clock; the delay of a slot is
 * when it is handed to `fire` minus the slot. Run twice: with the in-memory ledger (the scheduler
 * alone) and with the SQL ledger on a scratch PostgreSQL database (a claim per slot, as in
 * production). Publishing to Kafka is not included.
 */
export async function cronDelay(options: CronOptions): Promise<ScenarioResult> {
  const began = Date.now();
  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  const inMemory = await measure(options, () => new InMemorySlotLedger(systemClock));
  const database = await createScratchDatabase();
  let store: Store | undefined;
  let sql: number[];
  try {
    store = await openStore({ databaseUrl: database.url, poolMax: 10, dataDir: '' });
    const db = store;
    sql = await measure(options, () => new SqlSlotLedger(db));
  } finally {
    await store?.close();
    await database.drop();
  }
  for (const [ledger, delays] of [
    ['in-memory ledger', inMemory],
    ['PostgreSQL ledger', sql],
  ] as const) {
    const stats = percentiles(delays);
    details[ledger] = stats;
    for (const p of ['p50', 'p95', 'p99'] as const) {
      measurements.push({
        scenario: 'cron',
        metric: `${options.schedules} schedules, ${ledger}: slot → fire ${p}`,
        value: round(stats[p]),
        unit: 'ms',
        ...(p === 'p99' ? { goal: `≤ ${P99_GOAL_MS}`, met: stats.p99 <= P99_GOAL_MS } : {}),
        ...(p === 'p50' ? { note: `${stats.count} slots fired` } : {}),
      });
    }
  }
  return { name: 'cron', durationMs: Date.now() - began, measurements, details };
}

async function measure(options: CronOptions, ledgerFor: () => SlotLedger): Promise<number[]> {
  const schedule = parseSchedule('* * * * * *', 'UTC');
  const controller = new AbortController();
  // Every runner's sleep listens to the one signal; that is by design here, not a leak.
  setMaxListeners(options.schedules + 10, controller.signal);
  const delays: number[] = [];
  const since = Date.now();
  const runners = Array.from({ length: options.schedules }, (_, i) =>
    new CronSourceRunner({
      sourceId: `bench-cron-${since}-${i}`,
      schedule,
      misfire: 'skip',
      maxCatchUp: 1,
      jitterMs: 0,
      definedAt: since,
      scheduleKey: '* * * * * *',
      replicaId: 'bench',
      ledger: ledgerFor(),
      clock: systemClock,
      log: () => undefined,
      health: { succeeded: () => undefined, failed: () => undefined },
      fire: async (tick) => {
        delays.push(Date.now() - tick.scheduled);
      },
    }).run(controller.signal),
  );
  await new Promise((resolve) => setTimeout(resolve, options.measureMs));
  controller.abort();
  await Promise.all(runners);
  return delays;
}
