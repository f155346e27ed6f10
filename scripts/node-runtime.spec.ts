import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Flint runs on Node 24 even on a machine whose own Node is older: `npm ci` installs the npm
 * registry's `node` package (a devDependency) into node_modules/.bin, npm scripts find it first on
 * PATH, and what starts outside npm (`scripts/start.mjs`, `bin/flint.js`) hands over to it.
 */
const root = join(__dirname, '..');
const projectBin = join(root, 'node_modules', '.bin');
const projectNode = join(projectBin, 'node');

function versionOf(command: string, args: string[] = [], env = process.env): string {
  const result = spawnSync(command, [...args, '-p', 'process.version'], { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Another Node on PATH, outside node_modules, older than 24 (the system's, on the project's machines). */
function olderSystemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    const result = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (result.status === 0 && Number(result.stdout.split('.')[0]) < 24) return candidate;
  }
  return undefined;
}

describe('the Node the project runs on', () => {
  it('runs this suite on Node 24', () => {
    expect(process.version).toMatch(/^v24\./);
  });

  it('starts child processes on Node 24: by process.execPath, by PATH, and under ts-node', () => {
    expect(versionOf(process.execPath)).toMatch(/^v24\./);
    // What `#!/usr/bin/env node` and a plain `node` in a script resolve to.
    expect(versionOf('node')).toMatch(/^v24\./);
    // How the tests start a TypeScript fixture they then kill (test/support/ts-child-process.ts).
    expect(versionOf(process.execPath, ['-r', 'ts-node/register/transpile-only'])).toMatch(
      /^v24\./,
    );
  });

  describe('scripts/project-node.mjs (used by npm start)', () => {
    function evaluate(code: string): string {
      const result = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import * as p from ${JSON.stringify(join(root, 'scripts', 'project-node.mjs'))};\n${code}`,
        ],
        { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } },
      );
      if (result.status !== 0) throw new Error(result.stderr);
      return result.stdout.trim();
    }

    it('names node_modules/.bin/node as the Node to start the stack with', () => {
      expect(evaluate(`console.log(p.projectNode(${JSON.stringify(root)}))`)).toBe(projectNode);
    });

    it('puts node_modules/.bin first on PATH, once', () => {
      const path = evaluate(
        `console.log(p.withProjectPath({ PATH: '/usr/bin:${projectBin}:/bin' }, ${JSON.stringify(root)}).PATH)`,
      );
      expect(path.split(delimiter)).toEqual([projectBin, '/usr/bin', '/bin']);
    });
  });

  describe('bin/flint.js', () => {
    // Each Node that loads the CLI prints its version first, through a preloaded file.
    let dir: string;
    let env: NodeJS.ProcessEnv;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'flint-node-'));
      writeFileSync(
        join(dir, 'print-version.js'),
        'process.stderr.write(`node ${process.version}\\n`);\n',
      );
      env = { ...process.env, NODE_OPTIONS: `--require ${join(dir, 'print-version.js')}` };
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function nodesThatRan(command: string, args: string[]): string[] {
      const result = spawnSync(command, [...args, '--help'], { encoding: 'utf8', env });
      return [...result.stderr.matchAll(/^node (v\S+)$/gm)].map((m) => m[1]);
    }

    it('runs on Node 24 through its shebang, with nothing handed over', () => {
      expect(nodesThatRan(join(root, 'bin', 'flint.js'), [])).toEqual([
        expect.stringMatching(/^v24\./),
      ]);
    });

    const older = olderSystemNode();
    (older ? it : it.skip)(
      `hands over to Node 24 when an older Node starts it (${older ?? 'no older Node on PATH'})`,
      () => {
        const nodes = nodesThatRan(older!, [join(root, 'bin', 'flint.js')]);
        expect(nodes).toHaveLength(2);
        expect(nodes[0]).not.toMatch(/^v24\./);
        expect(nodes[1]).toMatch(/^v24\./);
      },
    );
  });
});
