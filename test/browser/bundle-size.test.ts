import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { consoleBundleSizes, FIRST_LOAD_JS_BUDGET_BYTES } from '../../bench/scenarios/console-size';

/** The console must open fast on a slow link: its first-load JavaScript stays within 300 kB gzipped. */
describe('the built console', () => {
  const dir = join(process.cwd(), 'dist', 'console');

  it('loads at most 300 kB of gzipped JavaScript before it shows anything', () => {
    if (!existsSync(join(dir, 'index.html'))) {
      throw new Error('the console is not built: run "npm run build" first (npm test does)');
    }
    const sizes = consoleBundleSizes(dir);
    expect(sizes.firstLoadJs).toBeGreaterThan(10 * 1024);
    expect(sizes.firstLoadJs).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET_BYTES);
    // The builder and its editors are a chunk of their own, not part of the first load.
    expect(Object.keys(sizes.lazyJs).some((file) => file.includes('BuilderScreen'))).toBe(true);
  });
});
