import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName, serviceFolder } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import { generateSecretKeyRing, openStore } from '@flint/store';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { stackEnv } from '../../test/support/isolated-stack';
import type { BenchStack } from './bench-stack';
import { freePort, startBroker } from './broker';
import { stopChild } from './child-process';
import { createScratchDatabase } from './database';
import { sleep } from './stats';

const DIST = join(__dirname, '..', '..', 'dist');

export interface ServiceProcess {
  name: ServiceName;
  pid: number;
  /** Where it answers HTTP (`/health`, `/metrics`). */
  url: string;
}

export interface ProcessStack extends BenchStack {
  processes: ServiceProcess[];
  /** The broker the services use, for scenarios that compare with a process of their own. */
  brokers: string;
  /** The prefix of this stack's topics (`<prefix>.events`, `<prefix>.runs`, …). */
  topicPrefix: string;
}

/**
 * The seven services, each in a process of its own from the compiled `dist/apps/<service>/src/main.js`
 * (as deployed), on a scratch PostgreSQL database, unique topics and consumer groups, logs at `warn`
 * and ignored. Each is ready when `/health` answers 200 (Kafka and the database usable); the api
 * starts first, so it alone applies the migrations.
 */
export async function startProcessStack(log: (line: string) => void): Promise<ProcessStack> {
  const missing = SERVICE_NAMES.filter((name) => !existsSync(mainFile(name)));
  if (missing.length > 0) {
    throw new Error(`dist has no build of ${missing.join(', ')}: run \`npm run build\` first`);
  }
  const broker = await startBroker(log);
  const database = await createScratchDatabase().catch(async (err: unknown) => {
    await broker.stop();
    throw err;
  });
  const run = `bench-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const adminKey = `bench-${randomBytes(12).toString('hex')}`;
  const ports = new Map<ServiceName, number>();
  for (const name of SERVICE_NAMES) ports.set(name, await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries([...ports].map(([name, port]) => [portVariable(name), String(port)])),
    ...stackEnv(run, database.url),
    KAFKA_BROKERS: broker.brokers,
    OTEL_SDK_DISABLED: 'true',
    FLINT_ADMIN_API_KEY: adminKey,
    FLINT_SECRETS_KEYS: generateSecretKeyRing('bench1'),
  };
  delete env.NODE_OPTIONS;
  const children = new Map<ServiceName, ChildProcess>();
  const store = await openStore({ databaseUrl: database.url, poolMax: 4, dataDir: '' });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...children.values()].reverse().map((child) => stopChild(child, 'SIGTERM', 25_000)),
    );
    await store.close();
    await database.drop().catch(() => undefined);
    await broker.stop();
  };
  const url = (name: ServiceName) => `http://127.0.0.1:${ports.get(name)}`;
  try {
    const order: ServiceName[] = ['api', ...SERVICE_NAMES.filter((name) => name !== 'api')];
    for (const name of order) {
      // FLINT_BENCH_CPU_PROF=<folder>: each service writes a V8 CPU profile there when it stops,
      // for bench/profile-summary.mjs.
      const profile = process.env.FLINT_BENCH_CPU_PROF;
      const flags = profile
        ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${name}.cpuprofile`]
        : [];
      const child = spawn(process.execPath, [...flags, mainFile(name)], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.set(name, child);
      let errors = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        errors = (errors + chunk.toString()).slice(-4_000);
      });
      await waitForReady(name, url(name), child, () => errors);
      log(`${name} ready (pid ${child.pid})`);
      // A service that dies mid-scenario would otherwise show only as a missing /proc entry.
      child.once('exit', (code, signal) => {
        if (!stopping) log(`${name} exited (${code ?? signal}) while in use:\n${errors}`);
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const api = new FlintApiClient(url('api'), adminKey);
  return {
    webhookUrl: url('webhook'),
    store,
    brokers: broker.brokers,
    topicPrefix: run,
    processes: [...children].map(([name, child]) => ({
      name,
      pid: child.pid as number,
      url: url(name),
    })),
    apply: async (definitions) => {
      await api.applyDefinitions(definitions);
    },
    stop,
  };
}

function mainFile(name: ServiceName): string {
  return join(DIST, serviceFolder(name), 'src', 'main.js');
}

async function waitForReady(
  name: ServiceName,
  url: string,
  child: ChildProcess,
  errors: () => string,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode}:\n${errors()}`);
    }
    const response = await fetch(`${url}/health`).catch(() => undefined);
    if (response?.ok) return;
    await sleep(250);
  }
  throw new Error(`${name} was not ready within 90 s:\n${errors()}`);
}
