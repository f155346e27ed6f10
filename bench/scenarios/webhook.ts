import { randomBytes } from 'node:crypto';
import { DefinitionSchema } from '@flint/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { forkScenarioFile, startFloorServer } from '../support/child-process';
import { cpuMilliseconds } from '../support/proc';
import type { ProcessStack } from '../support/process-stack';
import type { Measurement, ScenarioResult } from '../support/result';
import { type Percentiles, round } from '../support/stats';

const GOAL_EVENTS_PER_S = 10_000;
const GOAL_P99_MS = 20;
const GOAL_SHARE_OF_FLOOR = 0.8;

export interface LoadResult {
  durationS: number;
  total: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  accepted: number;
  latencyMs: Percentiles;
}

interface Ingest extends LoadResult {
  rate: number;
  /** CPU time of the process that answered, per accepted event. */
  cpuMsPerEvent: number;
}

export interface WebhookOptions {
  connections: number;
  durationS: number;
}

/**
 * The floor (`webhook-floor-server.ts`) on the same broker, then the same load from the same
 * generator on POST /hooks/demo of the webhook service in its own process (as deployed), once as it
 * runs and once with the evaluator held (see `withEvaluatorHeld`). Both answer 202 only
 * once Kafka acknowledged the event, so 202s per second is the acked ingest rate; Flint's figure
 * that matters is its share of the floor, since this machine's absolute numbers move ±20 % between
 * runs. The `demo` source has no trigger, so the evaluator only drops what it reads.
 */
export async function webhookIngest(
  stack: ProcessStack,
  options: WebhookOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  await stack.apply([
    DefinitionSchema.parse({
      kind: 'source',
      id: 'demo',
      provider: 'webhook',
      config: { path: 'demo', auth: { type: 'none' } },
    }),
  ]);
  const url = new URL('/hooks/demo', stack.webhookUrl).toString();
  await waitForAccepting(url);
  const webhook = stack.processes.find((p) => p.name === 'webhook');
  if (webhook === undefined) throw new Error('the process stack has no webhook service');
  // The floor first and the evaluator held last: once it goes on, the evaluator works off the
  // events it missed, which would slow whatever is measured next.
  const floor = await floorIngest(stack.brokers, options);
  const flint = await measuredLoad(webhook.pid, { url, ...options });
  const alone = await withEvaluatorHeld(stack, () =>
    measuredLoad(webhook.pid, { url, ...options }),
  );
  const share = flint.rate / floor.rate;
  const note = (load: Ingest) =>
    `${options.connections} connections, ${options.durationS} s, statuses ${JSON.stringify(load.statuses)}, ${load.errors} errors`;
  const latencies = (name: string, load: Ingest): Measurement[] =>
    (['p50', 'p95', 'p99'] as const).map((p) => ({
      scenario: 'webhook',
      metric: `${name}: HTTP latency of 202s ${p}`,
      value: round(load.latencyMs[p]),
      unit: 'ms',
      ...(p === 'p99' && name === 'Flint'
        ? { goal: `≤ ${GOAL_P99_MS}`, met: load.latencyMs.p99 <= GOAL_P99_MS }
        : {}),
    }));
  return {
    name: 'webhook',
    durationMs: Date.now() - began,
    measurements: [
      {
        scenario: 'webhook',
        metric: 'Flint: events acked (202) per second, webhook service in its own process',
        value: round(flint.rate),
        unit: 'events/s',
        goal: `≥ ${GOAL_EVENTS_PER_S}`,
        met: flint.rate >= GOAL_EVENTS_PER_S,
        note: note(flint),
      },
      ...latencies('Flint', flint),
      {
        scenario: 'webhook',
        metric: 'Flint: CPU per event, webhook process',
        value: round(flint.cpuMsPerEvent, 3),
        unit: 'ms',
      },
      {
        scenario: 'webhook',
        metric: 'Flint, the evaluator held: events acked (202) per second',
        value: round(alone.rate),
        unit: 'events/s',
        note: `the evaluator stopped (SIGSTOP) through the load, so nothing consumes the events, as for the floor; p99 ${round(alone.latencyMs.p99)} ms, CPU per event ${round(alone.cpuMsPerEvent, 3)} ms; ${note(alone)}`,
      },
      {
        scenario: 'webhook',
        metric: 'floor: events acked (202) per second (http + kafkajs, nothing else)',
        value: round(floor.rate),
        unit: 'events/s',
        note: note(floor),
      },
      ...latencies('floor', floor),
      {
        scenario: 'webhook',
        metric: 'floor: CPU per event',
        value: round(floor.cpuMsPerEvent, 3),
        unit: 'ms',
      },
      {
        scenario: 'webhook',
        metric: 'Flint as a share of the floor, same run',
        value: round(share, 2),
        unit: '×',
        goal: `≥ ${GOAL_SHARE_OF_FLOOR}`,
        met: share >= GOAL_SHARE_OF_FLOOR,
      },
      {
        scenario: 'webhook',
        metric: 'Flint with the evaluator held as a share of the floor, same run',
        value: round(alone.rate / floor.rate, 2),
        unit: '×',
      },
    ],
    details: { ...options, flint, alone, floor },
  };
}

/**
 * `measure` with the evaluator's process stopped. The events the webhook accepts are otherwise read
 * (and dropped) by the evaluator at once, which on two cores takes CPU the webhook and the broker
 * would have, while the floor's events are read by nobody; held, the two are compared like with
 * like. Its consumer's session may expire meanwhile; it rejoins its group when the process goes on
 * (this is the benchmark's last scenario, so nothing after it sees that rebalance).
 */
async function withEvaluatorHeld<T>(stack: ProcessStack, measure: () => Promise<T>): Promise<T> {
  const evaluator = stack.processes.find((p) => p.name === 'evaluator');
  if (evaluator === undefined) throw new Error('the process stack has no evaluator');
  process.kill(evaluator.pid, 'SIGSTOP');
  try {
    return await measure();
  } finally {
    process.kill(evaluator.pid, 'SIGCONT');
  }
}

/** The floor server in a process of its own, producing to a topic of its own on the same broker. */
async function floorIngest(brokers: string, options: WebhookOptions): Promise<Ingest> {
  const topic = `bench-floor-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    floor = await startFloorServer(brokers, topic);
    const url = `http://127.0.0.1:${floor.port}/hooks/demo`;
    await waitForAccepting(url);
    return await measuredLoad(floor.pid, { url, ...options });
  } finally {
    await floor?.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function measuredLoad(
  pid: number,
  request: { url: string } & WebhookOptions,
): Promise<Ingest> {
  const cpuBefore = await cpuMilliseconds(pid);
  const load = await runLoad(request);
  const cpuMs = (await cpuMilliseconds(pid)) - cpuBefore;
  return {
    ...load,
    rate: load.accepted / load.durationS,
    cpuMsPerEvent: load.accepted === 0 ? Number.NaN : cpuMs / load.accepted,
  };
}

/** A freshly applied source reaches the webhook service within seconds; until then it answers 404. */
export async function waitForAccepting(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"warmup":true}',
    }).catch(() => undefined);
    if (response?.status === 202) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not accept an event within 60 s`);
}

export function runLoad(request: { url: string } & WebhookOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = forkScenarioFile('webhook-load-child.ts');
    child.once('message', (message: LoadResult | { error: string }) => {
      if ('error' in message) reject(new Error(`autocannon failed: ${message.error}`));
      else resolve(message);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the autocannon child exited with ${code}`));
    });
    child.send(request);
  });
}
