import { Agent, request } from 'node:http';
import { DefinitionSchema } from '@flint/contracts';
import type { BenchStack } from '../support/bench-stack';
import type { Measurement, ScenarioResult } from '../support/result';
import { megabytes, percentiles, round, sleep } from '../support/stats';

const SOURCE = 'bench-e2e';
const TRIGGER = 'bench-e2e-echo';
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
  await stack.apply([
    DefinitionSchema.parse({
      kind: 'source',
      id: SOURCE,
      provider: 'webhook',
      config: { path: SOURCE, auth: { type: 'none' } },
    }),
    DefinitionSchema.parse({
      kind: 'trigger',
      id: TRIGGER,
      sources: [SOURCE],
      target: { type: 'local', workflow: 'echo' },
      input: { n: 'event.data.n' },
    }),
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(`/hooks/${SOURCE}`, stack.webhookUrl);
  const send = (n: number) => post(agent, url, JSON.stringify({ n }));
  await warmUp(stack, send);

  const measurements: Measurement[] = [];
  const details: Record<string, unknown> = {};
  let n = 1_000_000;
  for (const rate of options.rates) {
    const windowStart = new Date();
    const sent = await sendAtRate(rate, options.windowMs, () => send(n++));
    const started = await waitForStarted(stack, windowStart, sent.accepted, options.drainTimeoutMs);
    const latency = percentiles(started);
    const throughput = await startedRate(stack, windowStart);
    details[`${rate}/s`] = { ...sent, started: started.length, latencyMs: latency, throughput };
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
      })),
    );
  }
  agent.destroy();
  details.rssAfterMb = megabytes(process.memoryUsage().rss);
  return { name: 'end-to-end', durationMs: Date.now() - began, measurements, details };
}

/** Sends until one run has STARTED, so the trigger is live and every connection and cache is warm. */
async function warmUp(stack: BenchStack, send: (n: number) => Promise<number>): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let n = 0; Date.now() < deadline; n++) {
    await send(n).catch(() => 0);
    const [row] = await stack.store.query<{ count: string }>(
      `SELECT count(*) AS count FROM runs WHERE trigger_id = $1 AND started_at IS NOT NULL`,
      [TRIGGER],
    );
    if (Number(row?.count) > 0) return;
    await sleep(500);
  }
  throw new Error('no run of the benchmark trigger STARTED within 120 s of warm-up');
}

interface SendSummary {
  rate: number;
  accepted: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
}

/** Sends `rate` events per second for `windowMs`, catching up every 10 ms tick, never beyond. */
async function sendAtRate(
  rate: number,
  windowMs: number,
  send: () => Promise<number>,
): Promise<SendSummary> {
  const summary: SendSummary = { rate, accepted: 0, rejected: 0, failed: 0, elapsedMs: 0 };
  const pending: Promise<void>[] = [];
  const start = Date.now();
  let issued = 0;
  const total = Math.round((rate * windowMs) / 1000);
  while (issued < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000));
    for (; issued < due; issued++) {
      pending.push(
        send().then(
          (status) => {
            if (status === 202) summary.accepted++;
            else summary.rejected++;
          },
          () => {
            summary.failed++;
          },
        ),
      );
    }
    await sleep(10);
  }
  await Promise.all(pending);
  summary.elapsedMs = Date.now() - start;
  return summary;
}

/** Latencies (ms) of the runs whose events were accepted since `since`, once all `expected` started. */
async function waitForStarted(
  stack: BenchStack,
  since: Date,
  expected: number,
  timeoutMs: number,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await stack.store.query<{ latency_ms: number | string }>(
      `SELECT extract(epoch FROM started_at - accepted_at) * 1000 AS latency_ms
         FROM runs
        WHERE trigger_id = $1 AND accepted_at >= $2 AND started_at IS NOT NULL`,
      [TRIGGER, since.toISOString()],
    );
    if (rows.length >= expected || Date.now() > deadline) {
      return rows.map((row) => Number(row.latency_ms));
    }
    await sleep(500);
  }
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

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
