/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { launchChromium, screenshot, seriousAxeViolations, signedInContext } from './browser';
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

/** The shop's order webhook both browser suites send to: its delivery header becomes the event id. */
export function shopHookSource(id: string, owner: string): Record<string, unknown> {
  return {
    kind: 'source',
    id,
    owner,
    description: 'Order webhooks from the shop.',
    provider: 'webhook',
    config: { path: id, auth: { type: 'none' }, eventId: { header: 'X-Delivery' } },
  };
}

/** Posts an order to the shop's webhook `source`; `delivery` becomes the event id. */
export async function sendOrder(
  env: Pick<ConsoleStack, 'webhookUrl'>,
  source: string,
  delivery: string,
  total: number,
  currency = 'EUR',
): Promise<void> {
  const response = await fetch(`${env.webhookUrl}/hooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-delivery': delivery },
    body: JSON.stringify({ orderId: delivery, total, currency }),
  });
  if (response.status !== 202) {
    throw new Error(`the webhook answered ${response.status}: ${await response.text()}`);
  }
}

/** A screen to check: its path, a heading that says it loaded, and what to open on it (a dialog). */
export interface CheckedScreen {
  name: string;
  path: string;
  heading: string;
  open?: (page: Page) => Promise<void>;
}

/**
 * Each screen at 1280×800 and on a narrow window (390×844): no serious or critical axe-core
 * violation, nothing wider than the window; `screenshot` says which to keep a picture of.
 */
export async function checkScreens(
  env: Pick<ConsoleStack, 'browser' | 'apiUrl'>,
  key: string,
  screens: readonly CheckedScreen[],
  keepScreenshot: (name: string, wide: boolean) => string | undefined = () => undefined,
): Promise<void> {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    // axe is injected into the page, which the console's policy refuses without this.
    const context = await signedInContext(env.browser, env.apiUrl, key, {
      width,
      height,
      bypassCSP: true,
    });
    const checked = await context.newPage();
    try {
      for (const screen of screens) {
        await checked.goto(screen.path);
        await checked.getByRole('heading', { name: screen.heading }).first().waitFor();
        await checked.locator('.skeleton').first().waitFor({ state: 'detached' });
        await screen.open?.(checked);
        const violations = await seriousAxeViolations(checked);
        expect({ screen: screen.name, width, violations }).toEqual({
          screen: screen.name,
          width,
          violations: [],
        });
        const overflow = await checked.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect({ screen: screen.name, width, overflow }).toEqual({
          screen: screen.name,
          width,
          overflow: 0,
        });
        // The phone's top bar keeps its height on a short page (it once took the space left).
        if (width < 860) {
          const topbar = (await checked.locator('.topbar').boundingBox())!;
          expect({ screen: screen.name, topbarHeight: Math.min(topbar.height, 80) }).toEqual({
            screen: screen.name,
            topbarHeight: topbar.height,
          });
        }
        const name = keepScreenshot(screen.name, width === 1280);
        if (name) await screenshot(checked, name);
      }
    } finally {
      await context.close();
    }
  }
}
