import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import launch from '../../scripts/local-stack.json';
import type { Broker } from '../support/broker';
import { stopChild } from '../support/child-process';
import { residentBytes } from '../support/proc';
import type { Measurement, ScenarioResult } from '../support/result';
import { sleep } from '../support/stats';

const ROOT = join(__dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
export const LOCAL_STACK_RSS_GOAL_MB = 300;
/** Idle: started, examples applied, nothing sent; what a developer's laptop holds. */
const IDLE_MS = 10_000;

/**
 * The local stack exactly as `npm start` runs it (the compiled `main.js` with the node arguments of
 * `scripts/local-stack.json`, the embedded PGlite database, the example definitions), started twice
 * on one data folder: the first start creates the database, the second is every later one. Its RSS
 * is read from /proc once it has said "Flint is up" and idled.
 */
export async function localStackMemory(broker: Broker): Promise<ScenarioResult> {
  const started = Date.now();
  const main = join(ROOT, launch.main);
  if (!existsSync(main)) throw new Error(`${launch.main} is missing: run \`npm run build\` first`);
  const dataDir = await mkdtemp(join(tmpdir(), 'flint-bench-stack-'));
  const run = `bench-stack-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(SERVICE_NAMES.map((service) => [portVariable(service), '0'])),
    FLINT_HOST: '127.0.0.1',
    FLINT_DATA_DIR: dataDir,
    FLINT_LOG_FORMAT: 'json',
    KAFKA_BROKERS: broker.brokers,
    FLINT_TOPIC_EVENTS: `${run}.events`,
    FLINT_TOPIC_RUNS: `${run}.runs`,
    FLINT_TOPIC_TRIGGERS: `${run}.triggers`,
    FLINT_TOPIC_DLQ: `${run}.dlq`,
    FLINT_EVALUATOR_GROUP_ID: `${run}-evaluator`,
    FLINT_RUNNER_GROUP_ID: `${run}-runner`,
    FLINT_ADMIN_API_KEY: `bench-${randomBytes(12).toString('hex')}`,
  };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  try {
    const first = await idleRss(main, env);
    const later = await idleRss(main, env);
    const measurement = (metric: string, rss: number): Measurement => ({
      scenario: 'local-stack-memory',
      metric,
      value: rss,
      unit: 'MB',
      goal: `≤ ${LOCAL_STACK_RSS_GOAL_MB}`,
      met: rss <= LOCAL_STACK_RSS_GOAL_MB,
      note: `npm start's stack: dist, PGlite, node ${launch.nodeArgs.join(' ')}; ${IDLE_MS / 1000} s idle`,
    });
    return {
      name: 'local-stack-memory',
      durationMs: Date.now() - started,
      measurements: [
        measurement('RSS idle, local stack, first start (creates the database)', first.rssMb),
        measurement('RSS idle, local stack, later starts', later.rssMb),
        {
          scenario: 'local-stack-memory',
          metric: 'time to "Flint is up", later starts',
          value: later.upMs / 1000,
          unit: 's',
        },
      ],
      details: { first, later, nodeArgs: launch.nodeArgs },
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function idleRss(
  main: string,
  env: NodeJS.ProcessEnv,
): Promise<{ rssMb: number; upMs: number }> {
  const started = Date.now();
  const child = spawn(NODE, [...launch.nodeArgs, main], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await untilUp(child);
    const upMs = Date.now() - started;
    await sleep(IDLE_MS);
    const bytes = await residentBytes(child.pid as number);
    return { rssMb: Math.round(bytes / 1024 / 1024), upMs };
  } finally {
    await stopChild(child, 'SIGINT', 30_000);
  }
}

function untilUp(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`the local stack did not come up in 180 s:\n${output.slice(-2000)}`)),
      180_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Flint is up.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`the local stack exited (${code}) before it was up:\n${output.slice(-2000)}`),
      );
    });
  });
}
