import { readdir, readFile } from 'node:fs/promises';
import { Kafka, logLevel } from 'kafkajs';
import { ECHO_TRIGGER, type EchoLoad, emptySendSummary, sendAtRate } from '../support/echo-load';
import { backendsCpu } from '../support/database';
import { cpuMilliseconds } from '../support/proc';
import type { ProcessStack } from '../support/process-stack';
import type { Measurement, ScenarioResult } from '../support/result';
import { round, sleep } from '../support/stats';

export interface CostOptions {
  /** Low enough that no service saturates: the cost of a run, not of queueing. */
  rate: number;
  loadMs: number;
  drainTimeoutMs: number;
}

/** What every part of the stack had spent when the snapshot was taken. */
interface Snapshot {
  cpuMs: Map<string, number>;
  statements: Map<string, number>;
  transactions: Map<string, number>;
  /** Messages (end offsets summed over partitions) per topic of the stack. */
  messages: Map<string, number>;
}

/**
 * What one run costs, end to end, with each service in its own process: the echo trigger (webhook →
 * evaluator → runner → local `echo` workflow) at a rate well below saturation, until every run
 * finished. Per run: CPU ms of each service process, of the PostgreSQL backends serving the stack's
 * database and of the Kafka broker; statements (round trips) and transactions each service sent
 * (`flint_store_statements_total`); messages written to each topic.
 */
export async function costPerRun(
  stack: ProcessStack,
  load: EchoLoad,
  options: CostOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const kafka = new Kafka({
    clientId: 'flint-bench-cost',
    brokers: stack.brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Runs of the warm-up may still be finishing: start from a quiet stack.
    await waitForFinished(stack, new Date(0), options.drainTimeoutMs);
    const since = new Date();
    const before = await snapshot(stack, admin);
    const summary = emptySendSummary(options.rate);
    let n = 5_000_000;
    await sendAtRate(options.rate, options.loadMs, () => load.send(n++), summary);
    const finished = await waitForFinished(stack, since, options.drainTimeoutMs, summary.accepted);
    // Status events of the last runs go through the outbox after the run finished.
    await sleep(2_000);
    const after = await snapshot(stack, admin);

    const runs = finished;
    const per = (value: number) => (runs === 0 ? Number.NaN : value / runs);
    const delta = (map: keyof Snapshot, key: string) =>
      (after[map].get(key) ?? 0) - (before[map].get(key) ?? 0);
    const measurements: Measurement[] = [];
    const parts = [...after.cpuMs.keys()];
    for (const part of parts) {
      const statements = stack.processes.some((p) => p.name === part)
        ? `; ${round(per(delta('statements', part)), 2)} statements, ${round(per(delta('transactions', part)), 2)} transactions`
        : '';
      measurements.push({
        scenario: 'cost',
        metric: `${part}: CPU ms per run`,
        value: round(per(delta('cpuMs', part)), 3),
        unit: 'ms',
        note: `${Math.round(delta('cpuMs', part))} ms over ${runs} runs${statements}`,
      });
    }
    const serviceCpu = stack.processes.reduce((sum, p) => sum + delta('cpuMs', p.name), 0);
    measurements.push({
      scenario: 'cost',
      metric: 'all services: CPU ms per run',
      value: round(per(serviceCpu), 3),
      unit: 'ms',
      note: `${runs} of ${summary.accepted} accepted runs finished; ${options.rate} events/s for ${Math.round(options.loadMs / 1000)} s`,
    });
    const statements = stack.processes.reduce((sum, p) => sum + delta('statements', p.name), 0);
    measurements.push({
      scenario: 'cost',
      metric: 'all services: database statements (round trips) per run',
      value: round(per(statements), 2),
      unit: 'statements',
      note: stack.processes
        .filter((p) => delta('statements', p.name) > 0)
        .map((p) => `${p.name} ${round(per(delta('statements', p.name)), 2)}`)
        .join(', '),
    });
    for (const topic of after.messages.keys()) {
      const written = delta('messages', topic);
      if (written === 0) continue;
      measurements.push({
        scenario: 'cost',
        metric: `Kafka messages per run: ${topic.slice(stack.topicPrefix.length + 1)}`,
        value: round(per(written), 2),
        unit: 'messages',
      });
    }
    return {
      name: 'cost',
      durationMs: Date.now() - began,
      measurements,
      details: {
        runs,
        load: summary,
        before: plain(before),
        after: plain(after),
      },
    };
  } finally {
    await admin.disconnect();
  }
}

async function snapshot(stack: ProcessStack, admin: ReturnType<Kafka['admin']>): Promise<Snapshot> {
  const cpuMs = new Map<string, number>();
  const statements = new Map<string, number>();
  const transactions = new Map<string, number>();
  for (const { name, pid, url } of stack.processes) {
    cpuMs.set(name, await cpuMilliseconds(pid));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    statements.set(name, counter(metrics, 'flint_store_statements_total'));
    transactions.set(name, counter(metrics, 'flint_store_transactions_total'));
  }
  // Summed over the backends alive now: the services' pools keep theirs open between snapshots.
  const backends = await backendsCpu(stack.store);
  cpuMs.set(
    'postgresql',
    [...backends.values()].reduce((total, ms) => total + ms, 0),
  );
  const brokerPids = await pidsOfCommandsContaining('kafka.Kafka');
  cpuMs.set('kafka broker', await sumCpu(brokerPids));
  const messages = new Map<string, number>();
  const topics = (await admin.listTopics()).filter((topic) =>
    topic.startsWith(`${stack.topicPrefix}.`),
  );
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    messages.set(
      topic,
      offsets.reduce((sum, partition) => sum + Number(partition.high), 0),
    );
  }
  return { cpuMs, statements, transactions, messages };
}

async function sumCpu(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += await cpuMilliseconds(pid).catch(() => 0);
  return total;
}

/** Processes whose command line holds `text` (the benchmark's broker: Java with kafka.Kafka). */
async function pidsOfCommandsContaining(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.includes(text) && command.includes(`bench-kafka-${process.pid}`)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function counter(metrics: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : 0;
}

/** Runs of the echo trigger accepted since `since` that finished, waiting until `expected` did. */
async function waitForFinished(
  stack: ProcessStack,
  since: Date,
  timeoutMs: number,
  expected?: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await stack.store.query<{ finished: string; open: string }>(
      `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL) AS finished,
              count(*) FILTER (WHERE finished_at IS NULL) AS open
         FROM runs WHERE trigger_id = $1 AND accepted_at >= $2`,
      [ECHO_TRIGGER, since.toISOString()],
    );
    const finished = Number(row?.finished ?? 0);
    const done = expected === undefined ? Number(row?.open ?? 0) === 0 : finished >= expected;
    if (done || Date.now() > deadline) return finished;
    await sleep(500);
  }
}

function plain(snapshot: Snapshot): Record<string, Record<string, number>> {
  return {
    cpuMs: Object.fromEntries(snapshot.cpuMs),
    statements: Object.fromEntries(snapshot.statements),
    transactions: Object.fromEntries(snapshot.transactions),
    messages: Object.fromEntries(snapshot.messages),
  };
}
