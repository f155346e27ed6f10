import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ScenarioResult } from '../support/result';

/** The first-load budget of the console's JavaScript, gzipped (issue 19). */
export const FIRST_LOAD_JS_BUDGET_BYTES = 300 * 1024;

export interface ConsoleBundleSizes {
  /** The entry script and every module it preloads: what the browser runs before anything shows. */
  firstLoadJs: number;
  firstLoadCss: number;
  /** Chunks loaded later (the builder and its editors), by file. */
  lazyJs: Record<string, number>;
}

/** Gzipped sizes (level 9, as the api serves them) of the built console in `dir`. */
export function consoleBundleSizes(dir: string): ConsoleBundleSizes {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const gz = (path: string) => gzipSync(readFileSync(join(dir, path)), { level: 9 }).length;
  const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  if (scripts.length === 0) throw new Error(`no entry script in ${join(dir, 'index.html')}`);
  const firstLoad = new Set([...scripts, ...preloads]);
  const all = readdirJs(dir);
  return {
    firstLoadJs: [...firstLoad].reduce((sum, path) => sum + gz(path), 0),
    firstLoadCss: styles.reduce((sum, path) => sum + gz(path), 0),
    lazyJs: Object.fromEntries(all.filter((path) => !firstLoad.has(path)).map((p) => [p, gz(p)])),
  };
}

function readdirJs(dir: string): string[] {
  return readdirSync(join(dir, 'assets'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => `assets/${name}`);
}

/** `npm run bench -- console`: the sizes of `dist/console` (`npm run build` first). */
export function consoleSize(dir = join(process.cwd(), 'dist', 'console')): ScenarioResult {
  const started = Date.now();
  const sizes = consoleBundleSizes(dir);
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const lazy = Object.values(sizes.lazyJs).reduce((sum, n) => sum + n, 0);
  return {
    name: 'console',
    durationMs: Date.now() - started,
    measurements: [
      {
        scenario: 'console',
        metric: 'first-load JavaScript, gzipped',
        value: kb(sizes.firstLoadJs),
        unit: 'kB',
        goal: `≤ ${FIRST_LOAD_JS_BUDGET_BYTES / 1024}`,
        met: sizes.firstLoadJs <= FIRST_LOAD_JS_BUDGET_BYTES,
      },
      {
        scenario: 'console',
        metric: 'first-load CSS, gzipped',
        value: kb(sizes.firstLoadCss),
        unit: 'kB',
      },
      {
        scenario: 'console',
        metric: 'builder and editors (loaded when opened), gzipped',
        value: kb(lazy),
        unit: 'kB',
      },
    ],
    details: { ...sizes },
  };
}
