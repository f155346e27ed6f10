import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * npm itself runs on the machine's Node, often 20, while Flint runs on the Node 24 that `npm ci`
 * installs; npm's warnings about that mismatch (`EBADENGINE`, one block per package that wants a
 * newer Node: 184 lines on Node 20) would bury what `npm ci` and `npx flint` print. The project's
 * .npmrc keeps npm to errors. Run with the machine's Node first on PATH, as a user's shell has it (on
 * a machine whose Node is already 24 there is nothing to warn about either way).
 */
describe("npm in a checkout, on the machine's Node", () => {
  const env = {
    ...process.env,
    PATH: (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter),
    NODE_OPTIONS: '',
  };

  it('installs without warnings about the Node it runs on (a dry run, nothing is written)', async () => {
    const { stderr } = await run('npm', ['install', '--dry-run', '--ignore-scripts'], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stderr).not.toMatch(/npm warn/i);
  });

  it('runs npx flint without them', async () => {
    const { stdout, stderr } = await run('npx', ['flint', '--version'], { cwd: ROOT, env });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(stderr).not.toMatch(/npm warn/i);
  });
});
