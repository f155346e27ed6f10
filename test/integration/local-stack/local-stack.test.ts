import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flint/contracts';
import { Logger } from '@nestjs/common';
import { portVariable } from '@flint/service-kit';
import {
  type LocalStack,
  applyExamples,
  startLocalStack,
} from '../../../apps/local-stack/src/local-stack';
import { stackEnv } from '../../support/isolated-stack';
import { uniqueName } from '../../support/kafka';

/** README command 1 without the shell around it: seven services, one embedded database, the examples. */
describe('local stack on the embedded database', () => {
  let stack: LocalStack;
  let dataDir: string;

  // Creating the embedded database (in a child process) and starting seven services can take
  // minutes on a loaded 2-core machine running another test file beside this one.
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flint-stack-'));
    const ports = Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0']));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...ports,
      // Topics and consumer groups of its own, not the defaults, which no other test may then share.
      ...stackEnv(uniqueName('local-stack'), ''),
      FLINT_DATA_DIR: dataDir,
      FLINT_ADMIN_API_KEY: 'local-stack-test-key',
    };
    delete env.DATABASE_URL;
    stack = await startLocalStack(env, new Logger('test'));
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs all seven services sharing one PGlite store, each healthy', async () => {
    expect([...stack.services.keys()].sort()).toEqual([...SERVICE_NAMES].sort());
    // Each service counts its statements through a view of its own; behind them is one session of
    // one embedded database, so a session setting made through one is seen through every other.
    const [first, ...others] = [...stack.services.values()].map((s) => s.runtime.store);
    expect(first?.kind).toBe('pglite');
    const marker = `shared-${Date.now()}`;
    await first!.query(`SELECT set_config('flint.shared_check', $1, false)`, [marker]);
    for (const store of others) {
      const [row] = await store.query<{ value: string }>(
        `SELECT current_setting('flint.shared_check', true) AS value`,
      );
      expect({ kind: store.kind, value: row?.value }).toEqual({ kind: 'pglite', value: marker });
    }
    for (const [name, service] of stack.services) {
      const response = await fetch(`${service.url}/health`);
      const body = (await response.json()) as { status: string };
      expect({ name, status: response.status, body: body.status }).toEqual({
        name,
        status: 200,
        body: 'ok',
      });
    }
  });

  it('applies the example definitions, and re-applying changes nothing', async () => {
    const lines: string[] = [];
    const logger = { log: (line: string) => lines.push(line) } as unknown as Logger;
    await applyExamples(stack, 'examples', logger);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => /example source demo: (created|unchanged)/.test(l))).toBe(true);
    expect(lines.some((l) => /example trigger demo-echo: (created|unchanged)/.test(l))).toBe(true);

    const again: string[] = [];
    await applyExamples(stack, 'examples', {
      log: (l: string) => again.push(l),
    } as unknown as Logger);
    expect(again.every((l) => l.includes(': unchanged'))).toBe(true);
  });
});
