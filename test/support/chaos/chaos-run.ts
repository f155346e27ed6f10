import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DLQ_HEADERS, DefinitionSchema, type ServiceName } from '@flint/contracts';
import { generateSecretKeyRing } from '@flint/store';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { FlintApiClient } from '../../../apps/cli/src/api-client';
import { stackEnv } from '../isolated-stack';
import { freePorts, waitFor } from '../kafka';
import { OwnBroker } from './own-broker';
import { OwnPostgres } from './own-postgres';
import { type Instance, ServiceProcesses, instanceKey } from './service-processes';

/** What a fault hits: one of the services on the event path, the API, the broker or the database. */
export type FaultTarget = 'webhook' | 'evaluator' | 'runner' | 'api' | 'broker' | 'postgres';

export interface Fault {
  target: FaultTarget;
  signal: 'SIGKILL' | 'SIGTERM';
  /** The second replica of a service started twice (`ChaosOptions.replicas`); the first otherwise. */
  replica?: 2;
}

export interface ChaosOptions {
  /** Webhook events sent per second, each with a unique delivery id, retried until accepted. */
  rate: number;
  /** Applied one after another, each once the pipeline recovered from the one before. */
  faults: readonly Fault[];
  /** Services that run as two replicas sharing their consumer group. */
  replicas?: readonly ('evaluator' | 'runner')[];
  /** How long a killed process stays down before it is started again. */
  downMs: number;
  /** Load between one fault's recovery and the next fault. */
  settleMs: number;
  /** How long the pipeline may take to deliver a fresh event after a fault (else the run fails). */
  recoveryTimeoutMs: number;
  /** How long the runs of every accepted event may take to finish once the load stops. */
  drainTimeoutMs: number;
  log: (line: string) => void;
  /** Where each service's log goes (`<service>.log`, at warn level); none when unset. */
  logDir?: string;
}

export interface FaultFigures extends Fault {
  /** From the signal until the process answered `/health` again. */
  restartMs: number;
  /**
   * From the signal until every event accepted in the first second after the process was gone
   * reached the target: events on partitions a killed replica held count too.
   */
  recoveryMs: number;
}

export interface ChaosReport {
  accepted: number;
  /** Accepted events without a run. */
  lost: number;
  /** Accepted events with more than one run. */
  duplicateRuns: number;
  /** Runs that did not end SUCCEEDED. */
  notSucceeded: number;
  /** Runs whose run id the target never saw. */
  neverCalled: number;
  targetCalls: number;
  /** Calls carrying an `Idempotency-Key` the target had already seen (a target drops them). */
  repeatedTargetCalls: number;
  /** Webhook requests answered with something other than 202, or refused, all retried. */
  senderRetries: number;
  /** Messages on the dead-letter topic, by `reason: error`. */
  deadLetters: Record<string, number>;
  /** The first accepted events without a run, by number, to look for in the logs. */
  lostSample: number[];
  faults: FaultFigures[];
  durationMs: number;
}

const SERVICES: ServiceName[] = ['api', 'webhook', 'evaluator', 'runner'];
/** Webhook sources the events are spread over: each is a partition key, so all partitions work. */
const SOURCES = Array.from({ length: 6 }, (_, i) => `chaos-hooks-${i}`);
const TRIGGER = 'chaos-deliver';

/**
 * Flint under steady webhook load while its parts die: every service in its own process (compiled),
 * on a Kafka broker and a PostgreSQL server of its own, an HTTP target recording every call. Faults
 * are applied in turn; afterwards, once drained, the run ledger says whether every accepted event
 * has exactly one SUCCEEDED run, and the target how often a run reached it more than once.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const { log } = options;
  ServiceProcesses.assertBuilt(SERVICES);
  const instances: Instance[] = [
    ...SERVICES.map((name): Instance => ({ name, replica: 1 })),
    ...(options.replicas ?? []).map((name): Instance => ({ name, replica: 2 })),
  ];
  const [brokerPort, controllerPort, pgPort, ...servicePorts] = await freePorts(
    3 + instances.length,
  );
  const label = `${Date.now()}-${randomBytes(3).toString('hex')}`;
  const cleanups: (() => Promise<void>)[] = [];
  const target = await RecordingTarget.start();
  cleanups.push(() => target.close());
  try {
    log(`starting a Kafka broker on port ${brokerPort}`);
    const broker = await OwnBroker.create(label, brokerPort as number, controllerPort as number);
    cleanups.push(() => broker.dispose());
    log(`starting PostgreSQL on port ${pgPort}`);
    const postgres = await OwnPostgres.create(pgPort as number);
    cleanups.push(() => postgres.dispose());
    const adminKey = `chaos-${randomBytes(12).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...stackEnv(`chaos-${label}`, postgres.url),
      KAFKA_BROKERS: broker.brokers,
      OTEL_SDK_DISABLED: 'true',
      FLINT_ADMIN_API_KEY: adminKey,
      FLINT_SECRETS_KEYS: generateSecretKeyRing('chaos1'),
      FLINT_RUNNER_POLL_INTERVAL_MS: '200',
      FLINT_LOG_LEVEL: options.logDir ? 'warn' : 'error',
    };
    delete env.NODE_OPTIONS;
    const services = new ServiceProcesses(
      env,
      new Map(instances.map((instance, i) => [instanceKey(instance), servicePorts[i] as number])),
      options.logDir,
    );
    cleanups.push(() => services.stopAll());
    for (const instance of instances) {
      await services.start(instance);
      log(`${instanceKey(instance)} ready`);
    }
    await new FlintApiClient(services.url('api'), adminKey).applyDefinitions([
      ...SOURCES.map((id) =>
        DefinitionSchema.parse({
          kind: 'source',
          id,
          provider: 'webhook',
          config: { path: id, auth: { type: 'none' } },
        }),
      ),
      DefinitionSchema.parse({
        kind: 'trigger',
        id: TRIGGER,
        sources: SOURCES,
        target: { type: 'http', url: `${target.url}/deliver` },
        input: { n: 'event.data.n' },
      }),
    ]);
    const sender = new Sender(`${services.url('webhook')}/hooks`, label);
    // A run that fails half-way must not leave senders retrying against services that are gone.
    cleanups.push(async () => sender.close());
    log('warming up: one event through to the target');
    await sender.send(0);
    await waitFor(() => target.calls.some((call) => call.n === 0), {
      timeoutMs: 120_000,
      description: 'the warm-up event to reach the target',
    });

    const load = sender.startLoad(options.rate);
    const figures: FaultFigures[] = [];
    for (const fault of options.faults) {
      await sleep(options.settleMs);
      const at = Date.now();
      log(`fault: ${fault.signal} ${describe(fault)}`);
      await stop(fault, services, broker, postgres);
      // An answer the process sent just before it died may arrive after the signal: events accepted
      // once it is gone show when the pipeline flows again.
      const gone = Date.now();
      if (fault.signal === 'SIGKILL') await sleep(options.downMs);
      await start(fault, services, broker, postgres);
      const restartMs = Date.now() - at;
      const recovered = await waitFor(() => target.deliveredAfter(gone, sender), {
        timeoutMs: options.recoveryTimeoutMs,
        intervalMs: 50,
        description: `the events accepted after the ${fault.signal} of ${describe(fault)} to reach the target`,
      });
      figures.push({ ...fault, restartMs, recoveryMs: recovered - at });
      log(`  back in ${restartMs} ms, events flowing again after ${recovered - at} ms`);
    }
    await sleep(options.settleMs);
    await load.stop();
    log(`load stopped: ${sender.accepted.size} events accepted; draining`);

    const ledger = new RunLedger(postgres.url);
    await waitFor(async () => (await ledger.succeeded()) >= sender.accepted.size, {
      timeoutMs: options.drainTimeoutMs,
      intervalMs: 1000,
      description: 'every accepted event to have a SUCCEEDED run',
    }).catch((err: unknown) => log(`drain: ${(err as Error).message}`));
    const runs = await ledger.runsByEvent();
    const runIds = new Set(runs.flatMap((row) => row.runIds));
    const withRun = new Set(runs.map((row) => row.n));
    const lost = [...sender.accepted.keys()].filter((n) => !withRun.has(n)).sort((a, b) => a - b);
    return {
      accepted: sender.accepted.size,
      lost: lost.length,
      lostSample: lost.slice(0, 10),
      deadLetters: await deadLetters(broker.brokers, String(env.FLINT_TOPIC_DLQ)),
      duplicateRuns: runs.filter((row) => row.runIds.length > 1).length,
      notSucceeded: runs.filter((row) => !row.succeeded).length,
      neverCalled: [...runIds].filter((id) => !target.keys.has(id)).length,
      targetCalls: target.calls.length,
      repeatedTargetCalls: target.calls.length - target.keys.size,
      senderRetries: sender.retries,
      faults: figures,
      durationMs: Date.now() - began,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** The problems a report shows: loss, duplicate runs, runs that failed or never reached the target. */
export function chaosProblems(report: ChaosReport): string[] {
  const problems: string[] = [];
  if (report.accepted === 0) problems.push('no event was accepted');
  if (report.lost > 0) problems.push(`${report.lost} accepted events have no run`);
  if (report.duplicateRuns > 0)
    problems.push(`${report.duplicateRuns} events have more than one run`);
  if (report.notSucceeded > 0) problems.push(`${report.notSucceeded} runs did not succeed`);
  if (report.neverCalled > 0) problems.push(`${report.neverCalled} runs never reached the target`);
  return problems;
}

/** The figures as the lines `npm run chaos` prints and docs/operations.md quotes. */
export function chaosSummary(report: ChaosReport): string[] {
  return [
    `accepted ${report.accepted}, lost ${report.lost}, duplicate runs ${report.duplicateRuns}, ` +
      `not succeeded ${report.notSucceeded}, never called ${report.neverCalled}`,
    ...(report.lost > 0 ? [`lost events (first ones): ${report.lostSample.join(', ')}`] : []),
    ...Object.entries(report.deadLetters).map(([why, count]) => `dead letters: ${count} × ${why}`),
    `target calls ${report.targetCalls}, of them repeats ${report.repeatedTargetCalls}; ` +
      `sender retries ${report.senderRetries}; ${Math.round(report.durationMs / 1000)} s in all`,
    ...report.faults.map(
      (fault) =>
        `${fault.signal.padEnd(7)} ${describe(fault).padEnd(19)} back after ${seconds(fault.restartMs)}, ` +
        `events flowing after ${seconds(fault.recoveryMs)}`,
    ),
  ];
}

async function stop(
  fault: Fault,
  services: ServiceProcesses,
  broker: OwnBroker,
  postgres: OwnPostgres,
): Promise<void> {
  if (fault.target === 'broker') return broker.stop(fault.signal);
  if (fault.target === 'postgres') return postgres.stop(fault.signal);
  return services.stop({ name: fault.target, replica: fault.replica ?? 1 }, fault.signal);
}

async function start(
  fault: Fault,
  services: ServiceProcesses,
  broker: OwnBroker,
  postgres: OwnPostgres,
): Promise<void> {
  if (fault.target === 'broker') return broker.start();
  if (fault.target === 'postgres') return postgres.start();
  return services.start({ name: fault.target, replica: fault.replica ?? 1 });
}

/** `evaluator`, or `evaluator (replica 2)`. */
function describe(fault: Fault): string {
  return fault.replica ? `${fault.target} (replica ${fault.replica})` : fault.target;
}

/**
 * A webhook sender as real ones behave: a unique delivery id per event (`Idempotency-Key`, which the
 * webhook makes the event id), the same id on every retry, retrying until the answer is 202.
 */
class Sender {
  /** Event number → when its 202 arrived. */
  readonly accepted = new Map<number, number>();
  retries = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly label: string,
  ) {}

  /** Gives up on every event not accepted yet. */
  close(): void {
    this.closed = true;
  }

  async send(n: number): Promise<void> {
    while (!this.closed) {
      const source = SOURCES[n % SOURCES.length] as string;
      const status = await fetch(`${this.url}/${source}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `chaos-${this.label}-${n}`,
        },
        body: JSON.stringify({ n }),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      if (status === 202) {
        this.accepted.set(n, Date.now());
        return;
      }
      this.retries++;
      await sleep(250);
    }
  }

  /** Sends `rate` new events a second until stopped; `stop` waits for every one to be accepted. */
  startLoad(rate: number): { stop(): Promise<void> } {
    let stopped = false;
    const pending: Promise<void>[] = [];
    const loop = (async () => {
      const start = Date.now();
      let next = 1;
      while (!stopped && !this.closed) {
        const due = Math.floor(((Date.now() - start) * rate) / 1000);
        for (; next <= due; next++) pending.push(this.send(next));
        await sleep(20);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
        await Promise.all(pending);
      },
    };
  }
}

interface TargetCall {
  key: string;
  n: number;
  at: number;
}

/** The HTTP target: answers 200 to every call and records its `Idempotency-Key` and input. */
class RecordingTarget {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly calls: TargetCall[],
    readonly keys: Set<string>,
    /** Event number → when its first call arrived. */
    readonly firstCalls: Map<number, number>,
  ) {}

  static async start(): Promise<RecordingTarget> {
    const calls: TargetCall[] = [];
    const keys = new Set<string>();
    const firstCalls = new Map<number, number>();
    const server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const key = String(request.headers['idempotency-key'] ?? '');
        const call = {
          key,
          n: Number((JSON.parse(body || '{}') as { n?: unknown }).n),
          at: Date.now(),
        };
        calls.push(call);
        keys.add(key);
        if (!firstCalls.has(call.n)) firstCalls.set(call.n, call.at);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new RecordingTarget(server, `http://127.0.0.1:${port}`, calls, keys, firstCalls);
  }

  /**
   * When the last of the events accepted in the first second from the first acceptance at or after
   * `at` reached the target, once all have; undefined before.
   */
  deliveredAfter(at: number, sender: Sender): number | undefined {
    const first = Math.min(...[...sender.accepted.values()].filter((time) => time >= at));
    if (!Number.isFinite(first) || Date.now() < first + 1000) return undefined;
    const window = [...sender.accepted]
      .filter(([, time]) => time >= first && time <= first + 1000)
      .map(([n]) => n);
    let last = 0;
    for (const n of window) {
      const call = this.firstCalls.get(n);
      if (call === undefined) return undefined;
      last = Math.max(last, call);
    }
    return last;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The runs table, read with a connection per question (the server may have been restarted). */
class RunLedger {
  constructor(private readonly url: string) {}

  async succeeded(): Promise<number> {
    const [row] = await this.query<{ count: string }>(
      `SELECT count(DISTINCT input->>'n') AS count FROM runs
        WHERE trigger_id = $1 AND status = 'SUCCEEDED'`,
      [TRIGGER],
    );
    return Number(row?.count ?? 0);
  }

  async runsByEvent(): Promise<{ n: number; runIds: string[]; succeeded: boolean }[]> {
    const rows = await this.query<{ n: string; run_ids: string[]; succeeded: boolean }>(
      `SELECT input->>'n' AS n, array_agg(run_id) AS run_ids,
              bool_and(status = 'SUCCEEDED') AS succeeded
         FROM runs WHERE trigger_id = $1 GROUP BY 1`,
      [TRIGGER],
    );
    return rows.map((row) => ({ n: Number(row.n), runIds: row.run_ids, succeeded: row.succeeded }));
  }

  private async query<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
}

/** What the dead-letter topic holds, counted by reason and error (headers of each message). */
async function deadLetters(brokers: string, topic: string): Promise<Record<string, number>> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const total = (await admin.fetchTopicOffsets(topic).catch(() => [])).reduce(
      (sum, partition) => sum + Number(partition.high) - Number(partition.low),
      0,
    );
    if (total === 0) return {};
    const counts: Record<string, number> = {};
    const consumer = kafka.consumer({ groupId: `chaos-dlq-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => String(message.headers?.[name] ?? '');
          const why = `${header(DLQ_HEADERS.reason)}: ${header(DLQ_HEADERS.error)}`;
          counts[why] = (counts[why] ?? 0) + 1;
          if (++seen >= total) resolve();
        },
      });
    });
    await Promise.race([done, sleep(30_000)]);
    await consumer.disconnect();
    return counts;
  } finally {
    await admin.disconnect();
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
    request.on('error', () => resolve(body));
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
