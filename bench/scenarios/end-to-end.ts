import type { BenchStack } from '../support/bench-stack';
import {
  ECHO_TRIGGER as TRIGGER,
  sendAtRate,
  startEchoLoad,
  waitForStarted as waitForAllStarted,
} from '../support/echo-load';
import type { Measurement, ScenarioResult } from '../support/result';
import { endToEndFloor } from './end-to-end-floor';
import { type Percentiles, megabytes, percentiles, round } from '../support/stats';

const P99_GOAL_MS = 50;

export interface EndToEndOptions {
  rates: number[];
  windowMs: number;
  /** Longest wait for the runs of a window to be STARTED after its last event was sent. */
  drainTimeoutMs: number;
}

/**
 * Events sent at a fixed rate to a webhook source whose trigger starts the local `echo` workflow; the
 * latency of each run is `started_at - accepted_at` from the runs table (database time against the
 * webhook's accept time, both on this machine).
 */
export async function endToEnd(
  stack: BenchStack,
  options: EndToEndOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const load = await startEchoLoad(stack);

  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  let n = 1_000_000;
  for (const rate of options.rates) {
    const windowStart = new Date();
    const sent = await sendAtRate(rate, options.windowMs, () => load.send(n++));
    const runs = await startedLatencies(stack, windowStart, sent.accepted, options.drainTimeoutMs);
    const started = runs.map((run) => run.total);
    const latency = percentiles(started);
    const stages = stagePercentiles(runs);
    const throughput = await startedRate(stack, windowStart);
    details[`${rate}/s`] = {
      ...sent,
      started: started.length,
      latencyMs: latency,
      stagesMs: stages,
      throughput,
    };
    const label = `${rate} events/s`;
    measurements.push(
      {
        scenario: 'end-to-end',
        metric: `${label}: achieved send rate`,
        value: round(sent.accepted / (sent.elapsedMs / 1000)),
        unit: 'events/s',
        note: `${sent.accepted} accepted, ${sent.rejected} rejected, ${sent.failed} failed`,
      },
      {
        scenario: 'end-to-end',
        metric: `${label}: runs STARTED`,
        value: started.length,
        unit: 'runs',
        note: `of ${sent.accepted} accepted`,
      },
      {
        scenario: 'end-to-end',
        metric: `${label}: runs STARTED per second`,
        value: round(throughput),
        unit: 'runs/s',
        note: 'from the first accept to the last start of the window',
      },
      ...(['p50', 'p95', 'p99'] as const).map((p) => ({
        scenario: 'end-to-end',
        metric: `${label}: accept → STARTED ${p}`,
        value: round(latency[p]),
        unit: 'ms',
        ...(rate === 1000 && p === 'p99'
          ? { goal: `≤ ${P99_GOAL_MS}`, met: latency.p99 <= P99_GOAL_MS }
          : {}),
        note: `stages ${p}: ${STAGES.map((stage) => `${stage} ${round(stages[stage][p])}`).join(', ')} ms`,
      })),
    );
  }
  load.close();
  details.rssAfterMb = megabytes(process.memoryUsage().rss);
  measurements.push(...(await floorMeasurements(stack, options, details)));
  return { name: 'end-to-end', durationMs: Date.now() - began, measurements, details };
}

/**
 * Where the time goes, from the runs table: `evaluate` is accept → run requested (webhook, events
 * topic, evaluator), `claim` is requested → claimed (runs topic, the runner's claim), `start` is
 * claimed → STARTED (the runner's scheduler and the start of the attempt).
 */
const STAGES = ['evaluate', 'claim', 'start'] as const;
type Stage = (typeof STAGES)[number];

interface RunLatency extends Record<Stage, number> {
  total: number;
}

function stagePercentiles(runs: readonly RunLatency[]): Record<Stage, Percentiles> {
  return Object.fromEntries(
    STAGES.map((stage) => [stage, percentiles(runs.map((run) => run[stage]))]),
  ) as Record<Stage, Percentiles>;
}

/** Latencies (ms) of the runs whose events were accepted since `since`, once all `expected` started. */
async function startedLatencies(
  stack: BenchStack,
  since: Date,
  expected: number,
  timeoutMs: number,
): Promise<RunLatency[]> {
  await waitForAllStarted(stack, since, expected, timeoutMs);
  const rows = await stack.store.query<Record<'total' | Stage, number | string>>(
    `SELECT extract(epoch FROM started_at - accepted_at) * 1000 AS total,
            extract(epoch FROM requested_at - accepted_at) * 1000 AS evaluate,
            extract(epoch FROM created_at - requested_at) * 1000 AS claim,
            extract(epoch FROM started_at - created_at) * 1000 AS start
       FROM runs
      WHERE trigger_id = $1 AND accepted_at >= $2 AND started_at IS NOT NULL`,
    [TRIGGER, since.toISOString()],
  );
  return rows.map((row) => ({
    total: Number(row.total),
    evaluate: Number(row.evaluate),
    claim: Number(row.claim),
    start: Number(row.start),
  }));
}

/** Runs STARTED per second over the window: from its first accepted event to its last start. */
async function startedRate(stack: BenchStack, since: Date): Promise<number> {
  const [row] = await stack.store.query<{ runs: string; seconds: number | string | null }>(
    `SELECT count(*) AS runs, extract(epoch FROM max(started_at) - min(accepted_at)) AS seconds
       FROM runs
      WHERE trigger_id = $1 AND accepted_at >= $2 AND started_at IS NOT NULL`,
    [TRIGGER, since.toISOString()],
  );
  const seconds = Number(row?.seconds);
  return seconds > 0 ? Number(row?.runs) / seconds : Number.NaN;
}

/**
 * The same rates on the floor (`end-to-end-floor.ts`): its accept → consumed latency, and Flint's
 * runs STARTED per second as a share of the floor's messages consumed per second. A floor that fails
 * is reported, not thrown: Flint's own figures stand without it.
 */
async function floorMeasurements(
  stack: BenchStack,
  options: EndToEndOptions,
  details: Record<string, unknown>,
): Promise<Measurement[]> {
  let floor: Awaited<ReturnType<typeof endToEndFloor>>;
  try {
    floor = await endToEndFloor(stack.brokers, options.rates, options.windowMs);
  } catch (err) {
    details.floorError = err instanceof Error ? err.message : String(err);
    return [];
  }
  const measurements: Measurement[] = [];
  for (const [rate, window] of floor) {
    details[`floor ${rate}/s`] = window;
    const flint = details[`${rate}/s`] as { throughput: number; latencyMs: Percentiles };
    measurements.push(
      {
        scenario: 'end-to-end',
        metric: `${rate} events/s, floor: consumed per second`,
        value: round(window.rate),
        unit: 'events/s',
        note: `${window.consumed} of ${window.accepted} accepted; Flint's runs STARTED/s as a share of it: ${round(flint.throughput / window.rate, 2)}`,
      },
      {
        scenario: 'end-to-end',
        metric: `${rate} events/s, floor: accept → consumed p99`,
        value: round(window.latencyMs.p99),
        unit: 'ms',
        note: `p50 ${round(window.latencyMs.p50)} ms; Flint's accept → STARTED p99 is ${round(flint.latencyMs.p99 / window.latencyMs.p99, 1)} times it`,
      },
    );
  }
  return measurements;
}
