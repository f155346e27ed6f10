import { Agent } from 'node:http';
import { DefinitionSchema } from '@flint/contracts';
import type { BenchStack } from './bench-stack';
import { postJson } from './http';
import { sleep } from './stats';

export const ECHO_SOURCE = 'bench-e2e';
export const ECHO_TRIGGER = 'bench-e2e-echo';

export interface EchoLoad {
  /** Posts one event; resolves to the webhook's HTTP status. */
  send(n: number): Promise<number>;
  close(): void;
}

/**
 * A webhook source `bench-e2e` whose trigger starts the local `echo` workflow, warmed up until one run
 * STARTED, so the trigger is live and every connection and cache is warm.
 */
export async function startEchoLoad(stack: BenchStack): Promise<EchoLoad> {
  await stack.apply([
    DefinitionSchema.parse({
      kind: 'source',
      id: ECHO_SOURCE,
      provider: 'webhook',
      config: { path: ECHO_SOURCE, auth: { type: 'none' } },
    }),
    DefinitionSchema.parse({
      kind: 'trigger',
      id: ECHO_TRIGGER,
      sources: [ECHO_SOURCE],
      target: { type: 'local', workflow: 'echo' },
      input: { n: 'event.data.n' },
    }),
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(`/hooks/${ECHO_SOURCE}`, stack.webhookUrl);
  const load: EchoLoad = {
    send: (n) => postJson(agent, url, JSON.stringify({ n })),
    close: () => agent.destroy(),
  };
  await warmUp(stack, load);
  return load;
}

async function warmUp(stack: BenchStack, load: EchoLoad): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let n = 0; Date.now() < deadline; n++) {
    await load.send(n).catch(() => 0);
    if ((await startedSince(stack, new Date(0))) > 0) return;
    await sleep(500);
  }
  throw new Error('no run of the benchmark trigger STARTED within 120 s of warm-up');
}

/** Runs of the echo trigger STARTED whose events were accepted since `since`. */
export async function startedSince(stack: BenchStack, since: Date): Promise<number> {
  const [row] = await stack.store.query<{ count: string }>(
    `SELECT count(*) AS count FROM runs
      WHERE trigger_id = $1 AND accepted_at >= $2 AND started_at IS NOT NULL`,
    [ECHO_TRIGGER, since.toISOString()],
  );
  return Number(row?.count);
}

/**
 * Waits until `expected` runs accepted since `since` STARTED, or `timeoutMs` passed; true when they
 * did. Counting, not reading rows, keeps the benchmark's own load on the services' database small.
 */
export async function waitForStarted(
  stack: BenchStack,
  since: Date,
  expected: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await startedSince(stack, since)) >= expected) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

/** Counted while sending, so a caller can read how far a window got before it ends. */
export interface SendSummary {
  rate: number;
  accepted: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
}

export function emptySendSummary(rate: number): SendSummary {
  return { rate, accepted: 0, rejected: 0, failed: 0, elapsedMs: 0 };
}

/**
 * Sends `rate` events per second for `windowMs`, catching up every 10 ms tick, never beyond; counts
 * into `summary` as answers arrive.
 */
export async function sendAtRate(
  rate: number,
  windowMs: number,
  send: () => Promise<number>,
  summary: SendSummary = emptySendSummary(rate),
): Promise<SendSummary> {
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
