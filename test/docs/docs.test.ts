import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { SERVICES, type ServiceName, type SourcePage } from '@flint/contracts';
import {
  applyExamples,
  type LocalStack,
  startLocalStack,
} from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../support/isolated-stack';
import { waitFor } from '../support/kafka';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { quietLogger } from '../support/traced-stack';
import { type DocBlock, docBlocks, matchesShown, shownCommands } from './doc-blocks';

const ADMIN_KEY = 'docs-test-admin-key';
/** A block still running after this is stuck (waiting for input, following a stream). */
const BLOCK_TIMEOUT_MS = 60_000;
/** README first, as a new user reads it, then the pages of docs/ by name. */
const PAGES = async () => [
  'README.md',
  ...(await readdir('docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/**
 * Waits until every enabled example source runs, as a reader finds them after `npm start`: the
 * examples reach the providers through Kafka, a moment after they were applied.
 */
async function examplesRunning(api: string): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${api}/api/sources?limit=500`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const page = (await response.json()) as SourcePage;
      return page.items.every((source) => !['down', 'starting'].includes(source.status.state));
    },
    { timeoutMs: 90_000, description: 'the example sources running' },
  );
}

interface Ran {
  block: DocBlock;
  status: number | null;
  output: string;
}

/**
 * `npm run test:docs`: every shell and YAML block of README.md and docs/ either says why it cannot
 * run (`<!-- docs-test: not runnable: … -->`) or runs against one local stack shared by all pages —
 * shell blocks in order per page, YAML definitions applied with `npx flint apply`, shown outputs
 * compared where the page asks (`<!-- docs-test: compare -->`). A page whose example drifted from
 * the product fails here.
 *
 * The commands run as a reader runs them from a clone, with three differences that keep the test
 * apart from anything else on the machine: they run in a scratch folder (holding `examples/` and the
 * stack's `.flint/local/admin-api-key`), `npx flint` is this checkout's CLI, and the addresses
 * `127.0.0.1:<default port>` lead to this test's stack. `KEY`, `API` and `FLINT_ADMIN_API_KEY` are
 * set as a page's first block sets them up. With FLINT_DOCS_TEST_PROGRESS=<file>, each block's
 * outcome is appended to that file as it runs.
 */
describe('the documentation, run', () => {
  let database: ScratchDatabase;
  let stack: LocalStack;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let rewrites: Array<[string, string]>;

  beforeAll(async () => {
    database = await createScratchDatabase('docs');
    stack = await startLocalStack(
      isolatedStackEnv(database.url, { FLINT_ADMIN_API_KEY: ADMIN_KEY }),
      quietLogger,
    );
    await applyExamples(stack, 'examples', quietLogger);
    await examplesRunning(stack.services.get('api')!.url);
    scratch = await mkdtemp(join(tmpdir(), 'flint-docs-'));
    await mkdir(join(scratch, '.flint', 'local'), { recursive: true });
    await writeFile(join(scratch, '.flint', 'local', 'admin-api-key'), ADMIN_KEY);
    await symlink(resolve('examples'), join(scratch, 'examples'));
    const api = stack.services.get('api')!.url;
    rewrites = [
      ['npx flint', `node ${resolve('bin', 'flint.js')}`],
      ...[...stack.services].flatMap(([name, running]): Array<[string, string]> => {
        const { host } = new URL(running.url);
        const port = SERVICES[name as ServiceName].port;
        return [
          [`127.0.0.1:${port}`, host],
          [`localhost:${port}`, host],
        ];
      }),
    ];
    env = {
      ...process.env,
      PATH: `${await failingCurl(scratch)}${delimiter}${process.env.PATH ?? ''}`,
      FLINT_API_URL: api,
      FLINT_API_KEY: ADMIN_KEY,
      FLINT_ADMIN_API_KEY: ADMIN_KEY,
      KEY: ADMIN_KEY,
      API: api,
      // The CLI's contexts live in the scratch folder, not the user's config.
      HOME: scratch,
      XDG_CONFIG_HOME: join(scratch, 'config'),
    };
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const rewrite = (text: string) =>
    rewrites.reduce((result, [from, to]) => result.split(from).join(to), text);

  async function run(block: DocBlock): Promise<Ran> {
    if (block.language === 'yaml') {
      const file = join(scratch, `${block.file.replace(/\W/g, '-')}-${block.line}.yaml`);
      await writeFile(file, block.body);
      return execute(block, 'node', [resolve('bin', 'flint.js'), 'apply', '-f', file]);
    }
    const compare = block.mode.run && block.mode.compare;
    if (!compare) {
      const script = `set -euo pipefail\n${rewrite(block.body)}`;
      return execute(block, 'bash', ['-c', script]);
    }
    // Each command's output between markers, to compare with what the page shows after it.
    const commands = shownCommands(block.body);
    const script = [
      'set -euo pipefail',
      ...commands.flatMap((c, i) => [`echo '@@command ${i}@@'`, rewrite(c.command)]),
    ].join('\n');
    const ran = await execute(block, 'bash', ['-c', script]);
    const outputs = ran.output.split(/^@@command \d+@@$/m).slice(1);
    commands.forEach((command, i) => {
      if (command.expected.length === 0) return;
      const output = outputs[i] ?? '';
      if (!matchesShown(command.expected, output)) {
        ran.status = ran.status === 0 ? -1 : ran.status;
        ran.output += `\n[docs-test] "${command.command}" printed:\n${output}\nwhile the page shows:\n${command.expected.join('\n')}`;
      }
    });
    return ran;
  }

  /**
   * Runs a command without blocking this process: the stack the command talks to runs here too.
   * A command still running after BLOCK_TIMEOUT_MS is killed and fails its block.
   */
  function execute(block: DocBlock, command: string, args: string[]): Promise<Ran> {
    return new Promise((done) => {
      const child = spawn(command, args, { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => {
        output += `\n[docs-test] still running after ${BLOCK_TIMEOUT_MS} ms: killed`;
        child.kill('SIGKILL');
      }, BLOCK_TIMEOUT_MS);
      child.on('close', (status) => {
        clearTimeout(timer);
        done({ block, status, output });
      });
    });
  }

  it('runs every runnable block of every page, in order, as the page shows it', async () => {
    const failures: string[] = [];
    let ran = 0;
    for (const page of await PAGES()) {
      for (const block of docBlocks(page, await readFile(page, 'utf8'))) {
        if (!block.mode.run) continue;
        const result = await run(block);
        ran += 1;
        if (process.env.FLINT_DOCS_TEST_PROGRESS) {
          appendFileSync(
            process.env.FLINT_DOCS_TEST_PROGRESS,
            `${block.file}:${block.line} ${result.status}\n${result.status === 0 ? '' : result.output}\n`,
          );
        }
        if (result.status !== 0) {
          failures.push(
            `${block.file}:${block.line} (${block.language}) failed:\n${result.output}`,
          );
        }
      }
    }
    expect(ran).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

/**
 * A `curl` that fails on an HTTP error answer (`--fail-with-body`), first on the blocks' PATH: the
 * pages write `curl -s …` as a reader would, and a reader sees a 404 that a shell's exit status hides.
 * Returns the folder it is in.
 */
async function failingCurl(scratch: string): Promise<string> {
  const real = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'curl'))
    .find((file) => existsSync(file));
  if (real === undefined) throw new Error('the docs run curl, and there is none on PATH');
  const bin = join(scratch, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'curl'), `#!/bin/sh\nexec '${real}' --fail-with-body "$@"\n`);
  await chmod(join(bin, 'curl'), 0o755);
  return bin;
}
