import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '@flint/service-kit';
import { parse } from 'yaml';
import {
  ADMIN_KEY,
  call,
  closedPort,
  startApi,
  testTopics,
  webhookSource,
} from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = Math.random().toString(36).slice(2, 8);
const owner = `ctx-${sfx}`;
const sourceId = `ctx-src-${sfx}`;

describe('flint context: named API URLs and keys in $XDG_CONFIG_HOME/flint/config.yaml', () => {
  let api: RunningService;
  let configHome: string;
  let nowhere: string;

  beforeAll(async () => {
    api = await startApi(testTopics('cli-contexts'));
    const created = await call(api.url, 'POST', '/api/sources', {
      body: webhookSource(sourceId, { owner }),
    });
    expect(created.status).toBe(201);
    configHome = await mkdtemp(join(tmpdir(), 'flint-config-'));
    nowhere = `http://127.0.0.1:${await closedPort()}`;
  });

  afterAll(async () => {
    await api.stop();
    await rm(configHome, { recursive: true, force: true });
  });

  /** The CLI with only the config home in its environment (plus `env`). */
  const flint = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runFlint(args, { cwd: configHome, env: { XDG_CONFIG_HOME: configHome, ...env } });

  it('sets contexts, uses the current one, and lets flags and FLINT_API_* win', async () => {
    await writeFile(join(configHome, 'key'), `${ADMIN_KEY}\n`);
    const set = await flint([
      'context',
      'set',
      'local',
      '--api-url',
      api.url,
      '--api-key-file',
      'key',
    ]);
    expect(set).toMatchObject({ code: 0, stdout: ['context local: created (current)'] });
    const other = await flint(['context', 'set', 'broken', '--api-url', nowhere, '--api-key', 'k']);
    expect(other).toMatchObject({ code: 0, stdout: ['context broken: created'] });

    const file = join(configHome, 'flint', 'config.yaml');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parse(await readFile(file, 'utf8'))).toEqual({
      currentContext: 'local',
      contexts: [
        { name: 'local', apiUrl: api.url, apiKeyFile: join(configHome, 'key') },
        { name: 'broken', apiUrl: nowhere, apiKey: 'k' },
      ],
    });

    const listed = await flint(['get', 'sources', '--owner', owner]);
    expect(listed.stderr).toEqual([]);
    expect(listed.stdout[1]).toMatch(new RegExp(`^${sourceId}\\s`));

    const named = await flint(['get', 'sources', '--context', 'broken']);
    expect(named.code).toBe(1);
    expect(named.stderr[0]).toContain(`cannot reach the Flint API at ${nowhere}`);
    const fromEnv = await flint(['get', 'sources'], { FLINT_CONTEXT: 'broken' });
    expect(fromEnv.stderr[0]).toContain(`cannot reach the Flint API at ${nowhere}`);

    const envWins = await flint(['get', 'sources'], { FLINT_API_URL: nowhere });
    expect(envWins.stderr[0]).toContain(`cannot reach the Flint API at ${nowhere}`);
    const keyFromEnv = await flint(['get', 'sources'], { FLINT_API_KEY: 'not-the-key' });
    expect(keyFromEnv.stderr[0]).toMatch(/invalid API key/);
    const flagWins = await flint(['get', 'sources', '--owner', owner, '--api-url', api.url], {
      FLINT_API_URL: nowhere,
    });
    expect(flagWins.code).toBe(0);

    const switched = await flint(['context', 'use', 'broken']);
    expect(switched.stdout).toEqual(['current context: broken']);
    const table = await flint(['context', 'list']);
    expect(table.stdout).toEqual([
      expect.stringMatching(/^CURRENT\s+NAME\s+API URL\s+KEY$/),
      expect.stringMatching(
        new RegExp(`^\\s+local\\s+${api.url}\\s+file ${join(configHome, 'key')}$`),
      ),
      expect.stringMatching(new RegExp(`^\\*\\s+broken\\s+${nowhere}\\s+stored$`)),
    ]);
    const json = await flint(['context', 'list', '-o', 'json']);
    expect(json.stdout.join('\n')).not.toContain('"k"');
    expect(JSON.parse(json.stdout.join('\n'))).toContainEqual({
      name: 'broken',
      current: true,
      apiUrl: nowhere,
      key: 'stored',
    });
  });

  it('refuses unknown contexts and bad values, changing nothing', async () => {
    const file = join(configHome, 'flint', 'config.yaml');
    const before = await readFile(file, 'utf8');
    const unknown = await flint(['context', 'use', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr[0]).toContain('context "nope" does not exist');
    const unknownFlag = await flint(['get', 'sources', '--context', 'nope']);
    expect(unknownFlag.code).toBe(1);
    expect(unknownFlag.stderr[0]).toContain('context "nope" does not exist');
    const badUrl = await flint(['context', 'set', 'x', '--api-url', 'not a url']);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr[0]).toContain('apiUrl');
    const both = await flint(['context', 'set', 'x', '--api-key', 'a', '--api-key-file', 'b']);
    expect(both.code).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(before);

    await writeFile(file, 'contexts: 3\n');
    const broken = await flint(['context', 'list']);
    expect(broken.code).toBe(1);
    expect(broken.stderr[0]).toContain(`${file} is not a valid Flint CLI config`);
    await writeFile(file, before);
  });

  it('deletes a context; deleting the current one leaves none current', async () => {
    expect((await flint(['context', 'delete', 'broken'])).stdout).toEqual([
      'context broken: deleted',
    ]);
    const file = join(configHome, 'flint', 'config.yaml');
    expect(parse(await readFile(file, 'utf8'))).toEqual({
      contexts: [{ name: 'local', apiUrl: api.url, apiKeyFile: join(configHome, 'key') }],
    });
  });
});
