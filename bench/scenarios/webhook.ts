import { fork } from 'node:child_process';
import { join } from 'node:path';
import { DefinitionSchema } from '@flint/contracts';
import type { BenchStack } from '../support/bench-stack';
import type { ScenarioResult } from '../support/result';
import { type Percentiles, round } from '../support/stats';

const GOAL_EVENTS_PER_S = 10_000;

interface LoadResult {
  durationS: number;
  total: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  accepted: number;
  latencyMs: Percentiles;
}

export interface WebhookOptions {
  connections: number;
  durationS: number;
}

/**
 * POST /hooks/demo at a fixed number of connections. The webhook answers 202 only once Kafka
 * acknowledged the event, so 202s per second is the acked ingest rate. The `demo` source has no
 * trigger here, so the evaluator only drops what it reads.
 */
export async function webhookIngest(
  stack: BenchStack,
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
  const load = await runLoad({ url, ...options });
  const rate = load.accepted / load.durationS;
  const note = `${options.connections} connections, ${options.durationS} s, statuses ${JSON.stringify(load.statuses)}, ${load.errors} errors`;
  return {
    name: 'webhook',
    durationMs: Date.now() - began,
    measurements: [
      {
        scenario: 'webhook',
        metric: 'events acked (202) per second',
        value: round(rate),
        unit: 'events/s',
        goal: `≥ ${GOAL_EVENTS_PER_S}`,
        met: rate >= GOAL_EVENTS_PER_S,
        note,
      },
      ...(['p50', 'p95', 'p99'] as const).map((p) => ({
        scenario: 'webhook',
        metric: `HTTP latency of 202s ${p}`,
        value: round(load.latencyMs[p]),
        unit: 'ms',
      })),
    ],
    details: { ...options, ...load },
  };
}

/** A freshly applied source reaches the webhook service within seconds; until then it answers 404. */
async function waitForAccepting(url: string): Promise<void> {
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

function runLoad(request: {
  url: string;
  connections: number;
  durationS: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'webhook-load-child.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: 'inherit',
    });
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
