/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; playwright's own browser download cannot reach its CDN from here. */
export const CHROMIUM = process.env.FLINT_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine with a closed network; the profile is fresh per launch. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser tests write their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'console');

/**
 * Launches Chromium, or fails saying how to get it: these tests are never skipped, so a machine
 * without a browser fails them (`.ci/run` installs it).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set FLINT_TEST_CHROMIUM)`,
    );
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A context whose pages start signed in with `key`, as the console keeps it: in the tab's session. */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  key: string,
  options: { width?: number; height?: number; bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    bypassCSP: options.bypassCSP ?? false,
    reducedMotion: 'reduce',
  });
  await context.addInitScript((apiKey) => sessionStorage.setItem('flint.apiKey', apiKey), key);
  return context;
}

/** Every message the page logs as an error, and every uncaught exception. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

let axeSource: string | undefined;

/**
 * axe-core run inside the page: the violations of impact serious or critical. The page's context
 * must bypass the Content-Security-Policy, which (rightly) refuses injected scripts.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
