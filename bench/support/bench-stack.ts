import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { SERVICE_NAMES, type Definition } from '@flint/contracts';
import { Logger } from '@nestjs/common';
import { portVariable } from '@flint/service-kit';
import type { Store } from '@flint/store';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { startBroker } from './broker';
import { createScratchDatabase } from './database';

export interface BenchStack {
  webhookUrl: string;
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
export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
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
        KAFKA_BROKERS: broker.brokers,
        FLINT_HOST: '127.0.0.1',
        FLINT_LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        DATABASE_URL: database.url,
        FLINT_ADMIN_API_KEY: `bench-${randomBytes(12).toString('hex')}`,
        FLINT_TOPIC_EVENTS: `${run}.events`,
        FLINT_TOPIC_RUNS: `${run}.runs`,
        FLINT_TOPIC_TRIGGERS: `${run}.triggers`,
        FLINT_TOPIC_DLQ: `${run}.dlq`,
        FLINT_EVALUATOR_GROUP_ID: `${run}-evaluator`,
        FLINT_RUNNER_GROUP_ID: `${run}-runner`,
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
