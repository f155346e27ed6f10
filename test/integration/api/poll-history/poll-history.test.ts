import { randomUUID } from 'node:crypto';
import type { RunningService } from '@flint/service-kit';
import { POLL_HISTORY_LIMIT, PollHistoryRepository } from '@flint/store';
import { runFlint } from '../../cli/cli-harness';
import { call, createKey, startApi, testTopics } from '../api-harness';

const sfx = randomUUID().slice(0, 6);
const source = `inbox-${sfx}`;
const webhook = `hook-${sfx}`;

describe('poll history of a poll function source: API and CLI', () => {
  let api: RunningService;
  let history: PollHistoryRepository;
  const start = Date.parse('2026-05-01T12:00:00Z');

  beforeAll(async () => {
    api = await startApi(testTopics('poll-history'));
    history = new PollHistoryRepository(api.runtime.store);
    const applied = await call(api.url, 'PUT', '/api/definitions', {
      body: {
        definitions: [
          {
            kind: 'source',
            id: source,
            owner: `team-${sfx}`,
            provider: 'function',
            config: { function: 'file-inbox', interval: '30s', config: { folder: '/data/in' } },
          },
          {
            kind: 'source',
            id: webhook,
            owner: `team-${sfx}`,
            provider: 'webhook',
            config: { path: webhook, auth: { type: 'none' } },
          },
        ],
      },
    });
    expect(applied.status).toBe(200);
    for (let i = 0; i < POLL_HISTORY_LIMIT + 5; i++) {
      const failed = i % 10 === 9;
      await history.record(source, {
        polledAt: new Date(start + i * 30_000),
        durationMs: 10 + i,
        outcome: failed ? 'failed' : i % 2 === 0 ? 'fired' : 'not-fired',
        fired: !failed && i % 2 === 0 ? 1 : 0,
        skipped: 0,
        ...(failed ? { error: { type: 'TimeoutError', message: 'too slow' } } : {}),
      });
    }
  });

  afterAll(() => api.stop());

  it('serves the last polls newest first, keeping only the last 100', async () => {
    const page = await call(api.url, 'GET', `/api/sources/${source}/history`);
    expect(page.status).toBe(200);
    expect(page.body.sourceId).toBe(source);
    expect(page.body.items).toHaveLength(20);
    const newest = POLL_HISTORY_LIMIT + 4;
    expect(page.body.items[0]).toEqual({
      polledAt: new Date(start + newest * 30_000).toISOString(),
      durationMs: 10 + newest,
      outcome: 'fired',
      fired: 1,
      skipped: 0,
    });
    expect(page.body.items[5]).toMatchObject({
      outcome: 'failed',
      error: { type: 'TimeoutError', message: 'too slow' },
    });
    const all = await call(api.url, 'GET', `/api/sources/${source}/history?limit=100`);
    expect(all.body.items).toHaveLength(POLL_HISTORY_LIMIT);
    expect(all.body.items.at(-1).durationMs).toBe(15);
  });

  it('refuses a source that is not a poll function, another owner’s source, and a bad limit', async () => {
    const notFunction = await call(api.url, 'GET', `/api/sources/${webhook}/history`);
    expect(notFunction.status).toBe(404);
    expect(notFunction.body.error.message).toBe(
      `source ${webhook} is a webhook source; only poll function sources (provider: function) keep a poll history`,
    );
    const stranger = await createKey(api.url, `stranger-${sfx}`, 'viewer', `other-${sfx}`);
    expect(
      (await call(api.url, 'GET', `/api/sources/${source}/history`, { key: stranger })).status,
    ).toBe(404);
    expect((await call(api.url, 'GET', `/api/sources/${source}/history?limit=500`)).status).toBe(
      400,
    );
  });

  it('flint get source <id> --history prints one line per poll', async () => {
    const run = await runFlint(['get', 'source', source, '--history'], { apiUrl: api.url });
    expect(run.code).toBe(0);
    expect(run.stdout[0]).toMatch(/^POLLED AT\s+OUTCOME\s+DURATION\s+FIRED\s+SKIPPED\s+ERROR$/);
    expect(run.stdout).toHaveLength(POLL_HISTORY_LIMIT + 1);
    expect(run.stdout[6]).toMatch(/ failed\s+.* TimeoutError: too slow$/);
    const refused = await runFlint(['get', 'trigger', 'x', '--history'], { apiUrl: api.url });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.join('\n')).toContain(
      '--history shows one source: flint get source <id> --history',
    );
    const json = await runFlint(['get', 'source', source, '--history', '-o', 'json'], {
      apiUrl: api.url,
    });
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({ sourceId: source });
  });
});
