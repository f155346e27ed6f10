import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { SERVICE_NAMES, type Definition } from '@flint/contracts';
import { Logger } from '@nestjs/common';
import { portVariable } from '@flint/service-kit';
import type { Store } from '@flint/store';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { startBroker } from './broker';
import { stackEnv } from '../../test/support/isolated-stack';
import { createScratchDatabase } from './database';

export interface BenchStack {
  webhookUrl: string;
  /** The broker the stack uses, for scenarios that measure beside it (the e2e floor). */
  brokers: string;
  store: Store;
  apply(definitions: Definition[]): Promise<void>;
  stop(): Promise<void>;
}

const quiet = { log: () => undefined } as unknown as Logger;

/**
 * The seven services in this process (the local stack) on a scratch PostgreSQL database, unique
 * topics and consumer groups, every port chosen by the OS, logs discarded (they would cost more than
 * what is measured).
 */
export async function startBenchStack(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<BenchStack> {
  const broker = await startBroker(log);
  const database = await createScratchDatabase().catch(async (err: unknown) => {
    await broker.stop();
    throw err;
  });
  const run = `bench-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const ports = Object.fromEntries(SERVICE_NAMES.map((service) => [portVariable(service), '0']));
  let stack: LocalStack;
  try {
    stack = await startLocalStack(
      {
        ...process.env,
        ...ports,
        ...stackEnv(run, database.url),
        KAFKA_BROKERS: broker.brokers,
        OTEL_SDK_DISABLED: 'true',
        FLINT_ADMIN_API_KEY: `bench-${randomBytes(12).toString('hex')}`,
        ...env,
      },
      quiet,
      { logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }) },
    );
  } catch (err) {
    await database.drop().catch(() => undefined);
    await broker.stop();
    throw err;
  }
  const service = (name: 'webhook' | 'api' | 'runner') => {
    const running = stack.services.get(name);
    if (!running) throw new Error(`the ${name} service is not running`);
    return running;
  };
  const api = new FlintApiClient(service('api').url, stack.adminKey);
  return {
    webhookUrl: service('webhook').url,
    brokers: broker.brokers,
    store: service('runner').runtime.store,
    apply: async (definitions) => {
      await api.applyDefinitions(definitions);
    },
    stop: async () => {
      await stack.stop();
      await database.drop().catch(() => undefined);
      await broker.stop();
    },
  };
}
