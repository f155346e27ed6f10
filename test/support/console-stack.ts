import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { launchChromium } from './browser';
import { isolatedStackEnv } from './isolated-stack';
import { createScratchDatabase, type ScratchDatabase } from './postgres';
import { quietLogger } from './traced-stack';

/** The whole stack the console's browser tests drive, with Chromium and an admin API client. */
export interface ConsoleStack {
  stack: LocalStack;
  browser: Browser;
  /** The admin's client of the same API the console uses. */
  api: FlintApiClient;
  apiUrl: string;
  webhookUrl: string;
  /** The services' environment: their topics, database and settings. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Starts every service on the test broker and a scratch PostgreSQL database of its own, with the
 * built console, quick activity flushes and stream polls (the console shows them live), and a
 * Chromium. Fails at once when the console is not built.
 */
export async function startConsoleStack(
  name: string,
  adminKey: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ConsoleStack> {
  if (!existsSync(join(process.cwd(), 'dist', 'console', 'index.html'))) {
    throw new Error('the console is not built: run "npm run build" first (npm test does)');
  }
  let database: ScratchDatabase | undefined;
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await stack?.stop();
    await database?.drop();
  };
  let stackEnv: NodeJS.ProcessEnv;
  try {
    database = await createScratchDatabase(name);
    stackEnv = isolatedStackEnv(database.url, {
      FLINT_ADMIN_API_KEY: adminKey,
      FLINT_EVALUATOR_ACTIVITY_FLUSH_MS: '200',
      FLINT_API_STREAM_POLL_MS: '200',
      ...env,
    });
    stack = await startLocalStack(stackEnv, quietLogger);
    browser = await launchChromium();
  } catch (err) {
    await stop();
    throw err;
  }
  const apiUrl = stack.services.get('api')!.url;
  return {
    stack,
    browser,
    api: new FlintApiClient(apiUrl, adminKey),
    apiUrl,
    webhookUrl: stack.services.get('webhook')!.url,
    env: stackEnv,
    stop,
  };
}
