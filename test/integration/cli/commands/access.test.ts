import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '@flint/service-kit';
import { SecretCipher, SecretRepository, parseSecretKeyRing } from '@flint/store';
import { type CliIo, runCli } from '../../../../apps/cli/src/cli';
import { ADMIN_KEY, startApi, testTopics } from '../../api/api-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const sfx = randomBytes(3).toString('hex');
const KEY_RING = `cli-${sfx}:${randomBytes(32).toString('base64')}`;
const team = `cli-team-${sfx}`;

interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

describe('flint secret and flint key against a running API', () => {
  let api: RunningService;
  let dir: string;
  let secrets: SecretRepository;

  const flint = async (args: string[], key: string | null = ADMIN_KEY): Promise<CliRun> => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io: CliIo = {
      out: (line) => stdout.push(line),
      err: (line) => stderr.push(line),
      env: {},
      cwd: dir,
    };
    const code = await runCli(
      [...args, '--api-url', api.url, ...(key ? ['--api-key', key] : [])],
      io,
    );
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    api = await startApi(testTopics(`cli-access-${sfx}`), { FLINT_SECRETS_KEYS: KEY_RING });
    secrets = new SecretRepository(
      api.runtime.store,
      new SecretCipher(parseSecretKeyRing(KEY_RING)!),
    );
    dir = await mkdtemp(join(tmpdir(), 'flint-cli-access-'));
  });

  afterAll(async () => {
    await api?.runtime.store.query('DELETE FROM secrets WHERE name LIKE $1', [`%${sfx}`]);
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, lists and revokes keys; the key is printed once, on stdout', async () => {
    const created = await flint([
      'key',
      'create',
      'deploy bot',
      '--role',
      'editor',
      '--owner',
      team,
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toHaveLength(1);
    const key = created.stdout[0];
    expect(key).toMatch(/^flint_[0-9a-f]{16}_/);
    const id = key.split('_')[1];
    expect(created.stderr).toEqual([
      `created editor key ${id} "deploy bot" for owner ${team}; it is shown only this once`,
    ]);

    const usable = await flint(['secret', 'list'], key);
    expect(usable.code).toBe(0);

    const listed = await flint(['key', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout[0]).toMatch(/^ID\s+NAME\s+ROLE\s+OWNER\s+CREATED\s+LAST USED\s+REVOKED$/);
    const row = listed.stdout.find((line) => line.startsWith(id));
    expect(row).toMatch(new RegExp(`^${id}\\s+deploy bot\\s+editor\\s+${team}\\s`));
    expect(listed.stdout.join('\n')).not.toContain(key);

    const revoked = await flint(['key', 'revoke', id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout[0]).toMatch(new RegExp(`^key ${id} "deploy bot": revoked at \\d{4}-`));
    const refused = await flint(['secret', 'list'], key);
    expect(refused).toEqual({
      code: 1,
      stdout: [],
      stderr: ['secret list failed: this API key was revoked; ask an admin for a new one'],
    });
  });

  it('sets secrets from --value and --from-file, lists and deletes them, never printing a value', async () => {
    const fromValue = `from-value-${randomBytes(8).toString('hex')}`;
    const set = await flint([
      'secret',
      'set',
      `api.token-${sfx}`,
      '--owner',
      team,
      '--value',
      fromValue,
    ]);
    expect(set).toEqual({
      code: 0,
      stdout: [`secret api.token-${sfx}: created (version 1, owner ${team})`],
      stderr: [],
    });
    await expect(secrets.reveal(`api.token-${sfx}`)).resolves.toBe(fromValue);

    const fromFile = `from-file-${randomBytes(8).toString('hex')}`;
    await writeFile(join(dir, 'token.txt'), `${fromFile}\n`);
    const replaced = await flint(['secret', 'set', `api.token-${sfx}`, '--from-file', 'token.txt']);
    expect(replaced.stdout).toEqual([
      `secret api.token-${sfx}: updated (version 2, owner ${team})`,
    ]);
    await expect(secrets.reveal(`api.token-${sfx}`)).resolves.toBe(fromFile);

    const listed = await flint(['secret', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout[0]).toMatch(/^NAME\s+OWNER\s+VERSION\s+KEY ID\s+UPDATED$/);
    expect(listed.stdout.find((l) => l.startsWith(`api.token-${sfx}`))).toMatch(
      new RegExp(`^api\\.token-${sfx}\\s+${team}\\s+2\\s+cli-${sfx}\\s+\\d{4}-`),
    );
    const printed = [...set.stdout, ...replaced.stdout, ...listed.stdout].join('\n');
    expect(printed).not.toContain(fromValue);
    expect(printed).not.toContain(fromFile);

    const deleted = await flint(['secret', 'delete', `api.token-${sfx}`]);
    expect(deleted).toEqual({ code: 0, stdout: [`secret api.token-${sfx}: deleted`], stderr: [] });
    await expect(secrets.reveal(`api.token-${sfx}`)).resolves.toBeUndefined();
  });

  it('reads the value from standard input in the real command', async () => {
    const fromStdin = `from-stdin-${randomBytes(8).toString('hex')}`;
    const result = await runCliProcess(
      ['secret', 'set', `stdin-${sfx}`, '--owner', team, '--api-url', api.url],
      `${fromStdin}\n`,
      { FLINT_API_KEY: ADMIN_KEY },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`secret stdin-${sfx}: created (version 1, owner ${team})\n`);
    await expect(secrets.reveal(`stdin-${sfx}`)).resolves.toBe(fromStdin);
  });

  it('fails with a clear message and exit code 1 on every error', async () => {
    const viewer = await flint(['key', 'create', 'viewer', '--role', 'viewer', '--owner', team]);
    const viewerKey = viewer.stdout[0];
    const cases: [string[], string | null, string[]][] = [
      [
        ['secret', 'set', `x-${sfx}`, '--value', 'v', '--from-file', 'f'],
        ADMIN_KEY,
        [`secret set x-${sfx} failed: give the value with --value or --from-file, not both`],
      ],
      [
        ['secret', 'set', `x-${sfx}`, '--from-file', 'missing.txt'],
        ADMIN_KEY,
        [`secret set x-${sfx} failed: cannot read ${join(dir, 'missing.txt')}: ENOENT`],
      ],
      [
        ['secret', 'set', `x-${sfx}`, '--value', 'v'],
        viewerKey,
        [`secret set x-${sfx} failed: a viewer key cannot change secret "x-${sfx}"`],
      ],
      [
        ['secret', 'set', 'bad/name', '--value', 'v'],
        ADMIN_KEY,
        [
          'secret set bad/name failed: invalid secret name',
          '  name: must be the name of a secret: letters, digits, ".", "_" or "-" (like "github-webhook-secret")',
        ],
      ],
      [
        ['secret', 'delete', `never-${sfx}`],
        ADMIN_KEY,
        [`secret delete never-${sfx} failed: secret "never-${sfx}" not found`],
      ],
      [
        ['key', 'create', 'x', '--role', 'root'],
        ADMIN_KEY,
        ['key create x failed: invalid API key', '  role: must be "viewer", "editor" or "admin"'],
      ],
      [
        ['key', 'list'],
        viewerKey,
        ['key list failed: this needs an admin key; this is a viewer key'],
      ],
      [
        ['key', 'revoke', '0123456789abcdef'],
        ADMIN_KEY,
        ['key revoke 0123456789abcdef failed: API key "0123456789abcdef" not found'],
      ],
      [['key', 'list'], 'wrong-key', ['key list failed: invalid API key']],
      [
        ['secret', 'list'],
        null,
        ['secret list failed: missing API key: send "Authorization: Bearer <key>"'],
      ],
    ];
    for (const [args, key, stderr] of cases) {
      const result = await flint(args, key);
      expect({ args, ...result }).toEqual({ args, code: 1, stdout: [], stderr });
    }

    const lines: string[] = [];
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await runCli(
      ['secret', 'list', '--api-url', nowhere, '--api-key', ADMIN_KEY],
      { out: () => undefined, err: (line) => lines.push(line), env: {}, cwd: dir },
    );
    expect(unreachable).toBe(1);
    expect(lines).toEqual([
      `secret list failed: cannot reach the Flint API at ${nowhere} (ECONNREFUSED)`,
    ]);
  });
});

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `flint` as a real process (ts-node), so standard input is a real pipe. */
function runCliProcess(
  args: string[],
  stdin: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(ROOT, 'apps', 'cli', 'src', 'main.ts'),
        ...args,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
