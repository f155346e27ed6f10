import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixRequestQueueTimer } from '../libs/kafka/src/request-queue-timer';
import { archiveCost } from './scenarios/archive';
import { consoleOverview } from './scenarios/console-overview';
import { backtestSpeed } from './scenarios/backtest';
import { consoleSize } from './scenarios/console-size';
import { cronDelay } from './scenarios/cron';
import { endToEnd } from './scenarios/end-to-end';
import { endToEndFloor, type FloorWindow } from './scenarios/end-to-end-floor';
import { evaluatorAlone } from './scenarios/evaluator';
import { localStackMemory } from './scenarios/local-stack-memory';
import { costPerRun } from './scenarios/cost-per-run';
import { memoryPerService, residentSetSizes } from './scenarios/memory-per-service';
import { subscriberThroughput } from './scenarios/subscriber';
import { sustainedRate } from './scenarios/sustained-rate';
import { webhookIngest } from './scenarios/webhook';
import { type BenchStack, startBenchStack } from './support/bench-stack';
import { startBroker } from './support/broker';
import { startEchoLoad } from './support/echo-load';
import { machineInfo } from './support/machine';
import { type ProcessStack, startProcessStack } from './support/process-stack';
import { type BenchReport, markdownReport } from './support/report';
import type { ScenarioResult } from './support/result';
import { megabytes, round, rssAfterGc, sleep } from './support/stats';

const SCENARIOS = [
  'webhook',
  'e2e',
  'evaluator',
  'cron',
  'memory',
  'local-stack-memory',
  'memory-per-service',
  'sustained',
  'console',
  'console-overview',
  'subscriber',
  'archive',
  'cost',
  'backtest',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];
const STACK_SCENARIOS: readonly ScenarioName[] = ['e2e', 'memory'];
/** Run on the seven services in processes of their own (`dist`), the load generator in this one. */
const PROCESS_SCENARIOS: readonly ScenarioName[] = [
  'cost',
  'memory-per-service',
  'sustained',
  'webhook',
];
/**
 * Set in a group's own process (see `runGroupsApart`): where it writes its results, instead of
 * bench/results.
 */
const GROUP_RESULTS_ENV = 'FLINT_BENCH_GROUP_RESULTS';
const SUSTAIN_RATES = [250, 500, 750, 1_000, 1_250, 1_500, 2_000, 2_500, 3_000];
const RSS_GOAL_MB = 150;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

interface Settings {
  chosen: ScenarioName[];
  sustainSeconds: number;
  backtestEvents: number;
  e2eRates: number[];
}

/**
 * Scenario names, `--sustain-seconds N` (default 60): the window of the `sustained` search,
 * `--backtest-events N`, and `--e2e-rates A,B` (default 100,1000): the rates of `e2e`, each sent for
 * 15 s.
 */
function settings(args: string[]): Settings {
  let sustainSeconds = 60;
  let backtestEvents = 1_000_000;
  let e2eRates = [100, 1_000];
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--sustain-seconds') {
      sustainSeconds = Number(args[++i]);
      if (!Number.isFinite(sustainSeconds) || sustainSeconds < 4) {
        throw new Error('--sustain-seconds takes a number of seconds, at least 4');
      }
    } else if (args[i] === '--backtest-events') {
      backtestEvents = Number(args[++i]);
      if (!Number.isInteger(backtestEvents) || backtestEvents < 1) {
        throw new Error('--backtest-events takes a whole number of events, at least 1');
      }
    } else if (args[i] === '--e2e-rates') {
      e2eRates = String(args[++i]).split(',').map(Number);
      if (!e2eRates.every((rate) => Number.isInteger(rate) && rate > 0)) {
        throw new Error('--e2e-rates takes events/s as whole numbers above 0, e.g. 20,100');
      }
    } else {
      names.push(args[i]);
    }
  }
  return { chosen: selected(names), sustainSeconds, backtestEvents, e2eRates };
}

function selected(args: string[]): ScenarioName[] {
  if (args.length === 0) return [...SCENARIOS];
  const unknown = args.filter((arg) => !(SCENARIOS as readonly string[]).includes(arg));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`,
    );
  }
  return args as ScenarioName[];
}

/**
 * Runs the chosen scenarios, each group of them (`scenarioGroups`) in a process of its own when there
 * is more than one group: the pure ones first, then those needing the local stack, then those on the
 * service processes, with the webhook flood last so its backlog cannot slow the others.
 */
async function main(): Promise<void> {
  // Scenarios also make kafkajs clients of their own (admin clients, upstream producers), not
  // through createKafka: without its idle 1 ms timer too, and without Node's warning of it.
  fixRequestQueueTimer();
  const args = process.argv.slice(2);
  const { chosen, sustainSeconds, backtestEvents, e2eRates } = settings(args);
  const groupResults = process.env[GROUP_RESULTS_ENV];
  const startedAt = new Date().toISOString();
  const report: BenchReport = { startedAt, machine: machineInfo(), scenarios: [] };
  const folder = join(__dirname, 'results');
  const stamp = startedAt.replace(/[:.]/g, '-');
  await mkdir(folder, { recursive: true });
  // Written after every scenario, so a failure late in a long run keeps what was measured before it.
  const save = async () => {
    if (groupResults !== undefined) {
      await writeFile(groupResults, JSON.stringify(report.scenarios));
      return;
    }
    await writeFile(join(folder, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(folder, `${stamp}.md`), markdownReport(report));
  };
  const keep = async (result: ScenarioResult) => {
    report.scenarios.push(result);
    await save();
  };
  const record = async (result: ScenarioResult) => {
    log(`${result.name} done in ${Math.round(result.durationMs / 1000)} s`);
    await keep(result);
  };

  const groups = scenarioGroups(chosen);
  if (groupResults === undefined && groups.length > 1) {
    const failed = await runGroupsApart(groups, args, keep);
    process.stdout.write(markdownReport(report));
    log(`written to bench/results/${stamp}.json and .md`);
    if (failed.length > 0) throw new Error(`failed: ${failed.join('; ')}`);
    return;
  }

  if (chosen.includes('console')) {
    log('console: the size of the built web console');
    await record(consoleSize());
  }
  if (chosen.includes('evaluator')) {
    log('evaluator: 100, 10,000 and 100,000 triggers; 10,000 again with the archive on');
    await record(
      await evaluatorAlone({
        triggerCounts: [100, 10_000, 100_000],
        archiveCounts: [10_000],
        measureMs: 5_000,
      }),
    );
  }
  if (chosen.includes('cron')) {
    log('cron: 1,000 schedules on the same second');
    const broker = await startBroker(log);
    try {
      await record(
        await cronDelay({ schedules: 1_000, measureMs: 6_000, brokers: broker.brokers }),
      );
    } finally {
      await broker.stop();
    }
  }
  if (chosen.includes('local-stack-memory')) {
    log("local-stack-memory: npm start's stack, idle RSS on a first and a later start");
    const broker = await startBroker(log);
    try {
      await record(await localStackMemory(broker));
    } finally {
      await broker.stop();
    }
  }
  if (chosen.includes('subscriber')) {
    log('subscriber: Kafka topic, Redis Streams, NATS JetStream and RabbitMQ sources');
    const broker = await startBroker(log);
    try {
      await record(
        await subscriberThroughput(broker, log, { messages: 10_000, timeoutMs: 60_000 }),
      );
    } finally {
      await broker.stop();
    }
  }
  if (chosen.includes('backtest')) {
    log(`backtest: ${backtestEvents.toLocaleString('en-US')} archived events`);
    await record(await backtestSpeed(log, { events: backtestEvents }));
  }
  if (chosen.includes('archive')) {
    log('archive: webhook ingest with the event archive on and off, alternating');
    await record(await archiveCost(log, { connections: 32, durationS: 10, rounds: 2 }));
  }
  if (chosen.includes('console-overview')) {
    log(
      'console-overview: the overview from the API with 1,000 triggers and 1,000,000 archived events',
    );
    const broker = await startBroker(log);
    try {
      await record(
        await consoleOverview(broker, log, {
          triggers: 1_000,
          sources: 50,
          owners: 10,
          events: 1_000_000,
          runs: 100_000,
          calls: 200,
        }),
      );
    } finally {
      await broker.stop();
    }
  }
  if (chosen.some((name) => STACK_SCENARIOS.includes(name))) {
    log('starting the local stack');
    const stack = await startBenchStack(log);
    try {
      await runStackScenarios(stack, chosen, e2eRates, record);
    } finally {
      log('stopping the local stack');
      await stack.stop();
    }
  }
  if (chosen.some((name) => PROCESS_SCENARIOS.includes(name))) {
    log('starting the seven services, each in its own process');
    const stack = await startProcessStack(log);
    try {
      await runProcessScenarios(stack, chosen, sustainSeconds, record);
    } finally {
      log('stopping the service processes');
      await stack.stop();
    }
  }

  await save();
  if (groupResults !== undefined) return;
  process.stdout.write(markdownReport(report));
  log(`written to bench/results/${stamp}.json and .md`);
}

/**
 * The chosen scenarios by what they share, in the order `main` runs them: those on the local stack
 * together, those on the seven service processes together, every other one alone.
 */
function scenarioGroups(chosen: ScenarioName[]): ScenarioName[][] {
  const order: ScenarioName[] = [
    'console',
    'evaluator',
    'cron',
    'local-stack-memory',
    'subscriber',
    'backtest',
    'archive',
    'console-overview',
  ];
  return [
    ...order.filter((name) => chosen.includes(name)).map((name) => [name]),
    STACK_SCENARIOS.filter((name) => chosen.includes(name)),
    PROCESS_SCENARIOS.filter((name) => chosen.includes(name)),
  ].filter((group) => group.length > 0);
}

/**
 * Runs each group in a Node process of its own (this one's flags and arguments, the group's scenario
 * names in place of the chosen ones), so no scenario runs in a heap an earlier one filled: in one
 * process the backtest took 30.9 s after the evaluator's 100,000 triggers (RSS 1.5 GB) and 21.5 s
 * alone. A group that fails is reported and the next one runs; returns the failures.
 */
async function runGroupsApart(
  groups: ScenarioName[][],
  args: string[],
  keep: (result: ScenarioResult) => Promise<void>,
): Promise<string[]> {
  const options = args.filter((arg, i) => arg.startsWith('--') || args[i - 1]?.startsWith('--'));
  const folder = await mkdtemp(join(tmpdir(), 'flint-bench-'));
  const failed: string[] = [];
  try {
    for (const group of groups) {
      const results = join(folder, `${group.join('+')}.json`);
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [...process.execArgv, __filename, ...group, ...options],
          { stdio: 'inherit', env: { ...process.env, [GROUP_RESULTS_ENV]: results } },
        );
        child.once('error', reject);
        child.once('exit', resolve);
      });
      const measured = await readFile(results, 'utf8').then(
        (text) => JSON.parse(text) as ScenarioResult[],
        () => [],
      );
      for (const result of measured) await keep(result);
      if (code !== 0) failed.push(`${group.join(', ')} exited with ${code}`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return failed;
}

async function runStackScenarios(
  stack: BenchStack,
  chosen: ScenarioName[],
  e2eRates: number[],
  record: (result: ScenarioResult) => Promise<void>,
): Promise<void> {
  const memory = chosen.includes('memory');
  let idleRss = 0;
  if (memory) {
    // Idle: every service started and connected, nothing sent yet.
    await sleep(5_000);
    idleRss = rssAfterGc();
  }
  if (chosen.includes('e2e')) {
    log(`end to end: ${e2eRates.join(' and ')} events/s`);
    await record(
      await endToEnd(stack, { rates: e2eRates, windowMs: 15_000, drainTimeoutMs: 60_000 }),
    );
  }
  if (memory) {
    const peakRss = process.memoryUsage().rss;
    const afterRss = rssAfterGc();
    const idleMb = megabytes(idleRss);
    await record({
      name: 'memory',
      durationMs: 0,
      measurements: [
        {
          scenario: 'memory',
          metric: 'RSS idle, all 7 services in one process',
          value: idleMb,
          unit: 'MB',
          goal: `≤ ${RSS_GOAL_MB} per service`,
          met: idleMb <= RSS_GOAL_MB,
          note: 'one process for all services (local stack), ts-node included; per-service RSS not measured',
        },
        {
          scenario: 'memory',
          metric: chosen.includes('e2e') ? 'RSS right after end to end' : 'RSS (no e2e run)',
          value: megabytes(peakRss),
          unit: 'MB',
        },
        {
          scenario: 'memory',
          metric: chosen.includes('e2e') ? 'RSS after end to end, after a GC' : 'RSS after a GC',
          value: megabytes(afterRss),
          unit: 'MB',
        },
      ],
      details: { idleRss, peakRss, afterRss, heapUsed: process.memoryUsage().heapUsed },
    });
  }
}

async function runProcessScenarios(
  stack: ProcessStack,
  chosen: ScenarioName[],
  sustainSeconds: number,
  record: (result: ScenarioResult) => Promise<void>,
): Promise<void> {
  // Idle: every service ready, nothing sent yet.
  await sleep(5_000);
  const idle = await residentSetSizes(stack);
  const load = await startEchoLoad(stack);
  try {
    if (chosen.includes('cost')) {
      log('cost: what one run costs each part, at 200 events/s for 20 s');
      await record(
        await costPerRun(stack, load, { rate: 200, loadMs: 20_000, drainTimeoutMs: 60_000 }),
      );
    }
    if (chosen.includes('memory-per-service')) {
      log('memory per service: idle, then 500 events/s end to end for 20 s');
      await record(
        await memoryPerService(stack, load, idle, {
          loadRate: 500,
          loadMs: 20_000,
          drainTimeoutMs: 60_000,
        }),
      );
    }
    if (chosen.includes('sustained')) {
      log(`sustained: rate search, ${sustainSeconds} s per rate`);
      const sustained = await sustainedRate(stack, load, {
        rates: SUSTAIN_RATES,
        sustainMs: sustainSeconds * 1000,
        refineToWithin: 125,
        drainTimeoutMs: 120_000,
      });
      log(`sustained: the floor at ${SUSTAIN_RATES.at(-1)} events/s for ${sustainSeconds} s`);
      await record(await withSustainedFloor(sustained, stack.brokers, sustainSeconds));
    }
  } finally {
    load.close();
  }
  // Last: its flood leaves a backlog in the evaluator.
  if (chosen.includes('webhook')) {
    log('webhook: autocannon against POST /hooks/demo, then against the floor');
    await record(await webhookIngest(stack, { connections: 64, durationS: 15 }));
  }
}

/**
 * The floor of `sustained` (issue 20: "end to end: the floor's rate with a consumer that only
 * commits"): the same sender offers the search's highest rate to the floor of `e2e` for the same
 * window; what it consumes per second is the most this sender, broker and machine carry on the path
 * accept → consumed, and Flint's highest sustained rate is given as a share of it.
 */
async function withSustainedFloor(
  sustained: ScenarioResult,
  brokers: string,
  sustainSeconds: number,
): Promise<ScenarioResult> {
  const offered = SUSTAIN_RATES.at(-1) ?? 0;
  let floor: FloorWindow | undefined;
  try {
    floor = (await endToEndFloor(brokers, [offered], sustainSeconds * 1000)).get(offered);
  } catch (err) {
    // The search's own figures stand without it.
    const floorError = err instanceof Error ? err.message : String(err);
    log(`sustained: the floor failed: ${floorError}`);
    return { ...sustained, details: { ...sustained.details, floorError } };
  }
  const highest = sustained.measurements[0]?.value ?? 0;
  if (floor === undefined) return sustained;
  return {
    ...sustained,
    measurements: [
      ...sustained.measurements,
      {
        scenario: 'sustained',
        metric: `floor: consumed per second, ${offered} events/s offered for ${sustainSeconds} s`,
        value: round(floor.rate),
        unit: 'events/s',
        note: `${floor.consumed} of ${floor.accepted} accepted; accept → consumed p99 ${floor.latencyMs.p99} ms`,
      },
      {
        scenario: 'sustained',
        metric: "Flint's highest sustained rate as a share of the floor's",
        value: round(highest / floor.rate, 2),
        unit: '×',
      },
    ],
    details: { ...sustained.details, floor },
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
