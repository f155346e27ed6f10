import { setMaxListeners } from 'node:events';
import { systemClock } from '@flint/common';
import { CronConfigSchema } from '@flint/contracts';
import { EventProducer, createKafka, encodeCloudEvent, kafkaConfigFromEnv } from '@flint/kafka';
import { type Store, openStore } from '@flint/store';
import { CronSourceRunner } from '../../apps/providers/cron/src/firing/cron-source-runner';
import { buildCloudEvent, parseSchedule, tickEvent } from '@flint/provider-sdk';
// The cron service's own publishing path: concurrent emits share produce requests.
import { CoalescingSender } from '../../libs/provider-sdk/src/coalescing-sender';
import type { SlotLedger } from '../../apps/providers/cron/src/slots/slot-ledger';
import { SqlSlotLedger } from '../../apps/providers/cron/src/slots/sql-slot-ledger';
import { InMemorySlotLedger } from '../../apps/providers/cron/src/slots/testing/in-memory-slot-ledger';
import { createScratchDatabase } from '../support/database';
import type { Measurement, ScenarioResult } from '../support/result';
import { percentiles, round } from '../support/stats';

const P99_GOAL_MS = 100;
/** Slots before this much time after the runners started are fired but not measured. */
const WARM_UP_MS = 2_000;

export interface CronOptions {
  schedules: number;
  measureMs: number;
  /** The broker the slots' events are published to. */
  brokers: string;
}

interface Delays {
  /** Slot → handed to `fire` (the ledger's claim included). */
  fired: number[];
  /** Slot → its event acknowledged by Kafka (the goal's measure). */
  acked: number[];
  /** Passes that failed (and were retried a second later), by reason. */
  failures: Map<string, number>;
}

/**
 * N `CronSourceRunner`s on the same every-second schedule and the real clock; each slot's event is
 * published as the cron service does (one producer, concurrent emits coalesced). The delays of a
 * slot: when it is handed to `fire`, and when Kafka acknowledged its event, minus the slot. Run
 * twice: with the in-memory ledger (the scheduler alone) and with the SQL ledger on a scratch
 * PostgreSQL database (slot claims, as in production). The slots of the first two seconds are not
 * measured.
 */
export async function cronDelay(options: CronOptions): Promise<ScenarioResult> {
  const began = Date.now();
  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  const kafka = createKafka(
    kafkaConfigFromEnv(
      { KAFKA_BROKERS: options.brokers, KAFKA_TOPIC_PARTITIONS: '' },
      'bench-cron',
    ),
  );
  const topic = `bench-cron-${began}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = new EventProducer(kafka);
  await producer.connect();
  const sender = new CoalescingSender(producer, topic);
  const database = await createScratchDatabase();
  let store: Store | undefined;
  let inMemory: Delays;
  let sql: Delays;
  try {
    inMemory = await measure(options, sender, () => new InMemorySlotLedger(systemClock));
    store = await openStore({ databaseUrl: database.url, poolMax: 10, dataDir: '' });
    const db = store;
    sql = await measure(options, sender, () => new SqlSlotLedger(db));
  } finally {
    await producer.disconnect();
    await store?.close();
    await database.drop();
  }
  for (const [ledger, delays] of [
    ['in-memory ledger', inMemory],
    ['PostgreSQL ledger', sql],
  ] as const) {
    const fired = percentiles(delays.fired);
    const acked = percentiles(delays.acked);
    const failures = Object.fromEntries(delays.failures);
    details[ledger] = { fired, acked, failures };
    for (const p of ['p50', 'p95', 'p99'] as const) {
      measurements.push({
        scenario: 'cron',
        metric: `${options.schedules} schedules, ${ledger}: slot → event acked by Kafka ${p}`,
        value: round(acked[p]),
        unit: 'ms',
        ...(p === 'p99' ? { goal: `≤ ${P99_GOAL_MS}`, met: acked.p99 <= P99_GOAL_MS } : {}),
        note:
          `slot → fire ${p} ${round(fired[p])} ms` +
          (p === 'p50'
            ? `; ${acked.count} slots acked, ${delays.failures.size === 0 ? 'no pass failed' : `failed passes: ${JSON.stringify(failures)}`}`
            : ''),
      });
    }
  }
  return { name: 'cron', durationMs: Date.now() - began, measurements, details };
}

async function measure(
  options: CronOptions,
  sender: CoalescingSender,
  ledgerFor: () => SlotLedger,
): Promise<Delays> {
  const schedule = parseSchedule('* * * * * *', 'UTC');
  const config = CronConfigSchema.parse({ schedule: '* * * * * *' });
  const controller = new AbortController();
  // Every runner's sleep listens to the one signal; that is by design here, not a leak.
  setMaxListeners(options.schedules + 10, controller.signal);
  const delays: Delays = { fired: [], acked: [], failures: new Map() };
  const since = Date.now();
  const warmUpEnds = since + WARM_UP_MS;
  const runners = Array.from({ length: options.schedules }, (_, i) => {
    const sourceId = `bench-cron-${since}-${i}`;
    return new CronSourceRunner({
      sourceId,
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
      health: {
        succeeded: () => undefined,
        failed: (reason) => {
          delays.failures.set(reason, (delays.failures.get(reason) ?? 0) + 1);
        },
      },
      fire: async (tick) => {
        // The first slots also pay each runner's start (its schedule record, watermark, recovery
        // and prune statements, once per source): a one-off, not the steady state the goal means.
        const measured = tick.scheduled >= warmUpEnds;
        if (measured) delays.fired.push(Date.now() - tick.scheduled);
        const event = buildCloudEvent(tickEvent(sourceId, config, tick), {
          sourceId,
          provider: 'cron',
          acceptedAt: new Date(),
        });
        await sender.send([encodeCloudEvent(event)]);
        if (measured) delays.acked.push(Date.now() - tick.scheduled);
      },
    }).run(controller.signal);
  });
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS + options.measureMs));
  controller.abort();
  await Promise.all(runners);
  return delays;
}
