import type { RunningService } from '@flint/service-kit';
import { SourceStatusRepository } from '@flint/store';
import { parse } from 'yaml';
import {
  call,
  closedPort,
  localTrigger,
  startApi,
  testTopics,
  webhookSource,
} from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = Math.random().toString(36).slice(2, 8);
const owner = `cli-${sfx}`;
const sourceId = `cli-src-${sfx}`;
const otherSource = `cli-cron-${sfx}`;
const triggerIds = [0, 1, 2].map((i) => `cli-t${i}-${sfx}`);

describe('flint get, list, delete, enable and disable against a running API', () => {
  let api: RunningService;

  beforeAll(async () => {
    api = await startApi(testTopics('cli-definitions'));
    const seed: Array<[string, unknown]> = [
      ['/api/sources', webhookSource(sourceId, { owner })],
      [
        '/api/sources',
        {
          kind: 'source',
          id: otherSource,
          owner,
          provider: 'cron',
          config: { schedule: '* * * * *' },
        },
      ],
      ...triggerIds.map((id, i): [string, unknown] => [
        '/api/triggers',
        localTrigger(id, [i === 2 ? otherSource : sourceId], { owner, enabled: i !== 1 }),
      ]),
    ];
    for (const [path, body] of seed) {
      expect((await call(api.url, 'POST', path, { body })).status).toBe(201);
    }
  });

  afterAll(() => api.stop());

  const flint = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runFlint(args, { apiUrl: api.url, env });

  it('gets a definition as a table row, YAML or JSON', async () => {
    const row = await flint(['get', 'trigger', triggerIds[0] as string]);
    expect(row.stderr).toEqual([]);
    expect(row.stdout).toHaveLength(2);
    expect(row.stdout[0]).toMatch(/^ID\s+OWNER\s+ENABLED\s+VERSION\s+LISTENS TO\s+UPDATED$/);
    expect(row.stdout[1]).toMatch(
      new RegExp(`^${triggerIds[0]}\\s+${owner}\\s+yes\\s+1\\s+${sourceId}\\s`),
    );
    const yaml = await flint(['get', 'trigger', triggerIds[0] as string, '-o', 'yaml']);
    expect(yaml.stderr).toEqual([]);
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout.join('\n'))).toMatchObject({
      kind: 'trigger',
      id: triggerIds[0],
      owner,
      version: 1,
      sources: [sourceId],
    });
    const json = await flint(['get', 'sources', sourceId, '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({
      id: sourceId,
      provider: 'webhook',
    });
  });

  it("shows a source's status: its state in listings, the details under one source", async () => {
    const failedAt = new Date('2026-12-06T12:00:00.000Z');
    await new SourceStatusRepository(api.runtime.store).report(`cli-replica-${sfx}`, 'webhook', [
      {
        sourceId,
        version: 1,
        state: 'running',
        lastError: 'a call was refused with 401 unauthorized: the signature does not match',
        lastErrorAt: failedAt,
        consecutiveFailures: 3,
      },
    ]);
    const one = await flint(['get', 'source', sourceId]);
    expect(one.stderr).toEqual([]);
    expect(one.stdout[0]).toMatch(/^ID\s+OWNER\s+ENABLED\s+VERSION\s+PROVIDER\s+STATUS\s+UPDATED$/);
    expect(one.stdout[1]).toMatch(
      new RegExp(`^${sourceId}\\s+${owner}\\s+yes\\s+1\\s+webhook\\s+failing\\s`),
    );
    expect(one.stdout.slice(2)).toEqual([
      '',
      'status:            failing',
      'last error:        a call was refused with 401 unauthorized: the signature does not match',
      'last error at:     2026-12-06T12:00:00.000Z',
      'failures in a row: 3',
      'replicas:          1',
      expect.stringMatching(/^reported: {10}\d{4}-/),
    ]);
    const listed = await flint(['get', 'sources', '--owner', owner]);
    expect(listed.stdout.slice(1).map((line) => line.split(/\s+/).slice(0, 6))).toEqual(
      [
        [sourceId, owner, 'yes', '1', 'webhook', 'failing'],
        [otherSource, owner, 'yes', '1', 'cron', 'down'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    const json = await flint(['get', 'source', sourceId, '-o', 'json']);
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({
      id: sourceId,
      status: { state: 'failing', consecutiveFailures: 3, lastErrorAt: failedAt.toISOString() },
    });
  });

  it('lists with `get <kind>` as kubectl does, and as JSON or YAML for scripts', async () => {
    const table = await flint(['get', 'triggers', '--owner', owner]);
    expect(table.code).toBe(0);
    expect(table.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(triggerIds);
    const json = await flint(['get', 'triggers', '--owner', owner, '-o', 'json']);
    const listed = JSON.parse(json.stdout.join('\n')) as Array<{ id: string; version: number }>;
    expect(listed.map((t) => t.id)).toEqual(triggerIds);
    const yaml = await flint(['get', 'sources', '--owner', owner, '--output', 'yaml']);
    expect((parse(yaml.stdout.join('\n')) as Array<{ id: string }>).map((s) => s.id)).toEqual(
      [sourceId, otherSource].sort(),
    );
    const empty = await flint(['get', 'sources', '--owner', `nobody-${sfx}`, '-o', 'json']);
    expect(JSON.parse(empty.stdout.join('\n'))).toEqual([]);
  });

  it('lists with filters as a table, following cursors across pages', async () => {
    const all = await flint(['list', 'triggers', '--owner', owner]);
    expect(all.code).toBe(0);
    expect(all.stdout[0]).toMatch(/^ID\s+OWNER\s+ENABLED\s+VERSION\s+LISTENS TO\s+UPDATED$/);
    expect(all.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(triggerIds);
    expect(all.stdout[2]).toMatch(new RegExp(`^${triggerIds[1]}\\s+${owner}\\s+no\\s+1\\s+`));

    const onSource = await flint(['list', 'triggers', '--owner', owner, '--source', otherSource]);
    expect(onSource.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([triggerIds[2]]);
    const enabled = await flint(['list', 'trigger', '--owner', owner, '--enabled', 'true']);
    expect(enabled.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([
      triggerIds[0],
      triggerIds[2],
    ]);
    const cron = await flint(['list', 'sources', '--owner', owner, '--provider', 'cron']);
    expect(cron.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([otherSource]);
    const limited = await flint(['list', 'triggers', '--owner', owner, '--limit', '2']);
    expect(limited.stdout).toHaveLength(3);
    const none = await flint(['list', 'sources', '--owner', `nobody-${sfx}`]);
    expect(none.stdout).toEqual(['no sources found']);
  });

  it('disables and enables, changing the version only when something changes', async () => {
    const id = triggerIds[0] as string;
    const disabled = await flint(['disable', 'trigger', id]);
    expect(disabled.stderr).toEqual([]);
    expect(disabled.stdout).toEqual([`trigger ${id}: disabled (version 2)`]);
    expect((await flint(['disable', 'trigger', id])).stdout).toEqual([
      `trigger ${id}: disabled (version 2)`,
    ]);
    expect((await flint(['enable', 'trigger', id])).stdout).toEqual([
      `trigger ${id}: enabled (version 3)`,
    ]);
  });

  it('deletes, and says why when the API refuses', async () => {
    const inUse = await flint(['delete', 'source', otherSource]);
    expect(inUse.code).toBe(1);
    expect(inUse.stdout).toEqual([]);
    expect(inUse.stderr.join('\n')).toContain(`delete source ${otherSource} failed:`);
    expect(inUse.stderr.join('\n')).toContain(`"${triggerIds[2]}"`);

    const deleted = await flint(['delete', 'trigger', triggerIds[2] as string]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toEqual([`trigger ${triggerIds[2]}: deleted`]);
    expect((await flint(['delete', 'source', otherSource])).code).toBe(0);

    const gone = await flint(['get', 'trigger', triggerIds[2] as string]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.join('\n')).toContain(`trigger "${triggerIds[2]}" does not exist`);
    const again = await flint(['delete', 'trigger', triggerIds[2] as string]);
    expect(again.code).toBe(1);
    expect(again.stderr.join('\n')).toContain('does not exist');
    const enableGone = await flint(['enable', 'trigger', triggerIds[2] as string]);
    expect(enableGone.code).toBe(1);
  });

  it('fails clearly on bad arguments, without calling the API', async () => {
    const badKind = await flint(['get', 'workflow', 'x']);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr.join('\n')).toContain('kind must be "source" or "trigger"');
    const badFormat = await flint(['get', 'trigger', 'x', '-o', 'xml']);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr.join('\n')).toContain('Allowed choices are table, json, yaml');
    const filterOnOne = await flint(['get', 'trigger', 'x', '--owner', owner]);
    expect(filterOnOne.code).toBe(1);
    expect(filterOnOne.stderr.join('\n')).toContain('--owner only applies when listing');
    const badLimit = await flint(['list', 'triggers', '--limit', 'lots']);
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr.join('\n')).toContain('--limit must be a whole number');
    const wrongFilter = await flint(['list', 'triggers', '--provider', 'cron']);
    expect(wrongFilter.code).toBe(1);
    expect(wrongFilter.stderr.join('\n')).toContain('--provider only applies to sources');
    const missingId = await flint(['delete', 'trigger']);
    expect(missingId.code).toBe(1);
    expect(missingId.stderr.join('\n')).toMatch(/missing required argument 'id'/);
  });

  it('fails clearly when the API is unreachable or the key is wrong', async () => {
    const port = await closedPort();
    const unreachable = await flint(['list', 'triggers'], {
      FLINT_API_URL: `http://127.0.0.1:${port}`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.join('\n')).toContain(
      `cannot reach the Flint API at http://127.0.0.1:${port}`,
    );
    const wrongKey = await flint(['get', 'trigger', triggerIds[0] as string], {
      FLINT_API_KEY: 'not-the-key',
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr.join('\n')).toMatch(/get trigger .* failed: .*API key/i);
  });
});
