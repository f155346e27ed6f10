import { randomUUID } from 'node:crypto';
import type { RunningService } from '@flint/service-kit';
import { call, createKey, createWebhookTrigger, startApi, testTopics } from '../api-harness';
import { HOLDER, RunSeeder, TRACE_ID, runRequest as request } from './run-seeder';

const sfx = randomUUID().slice(0, 6);
const ownerA = `runs-a-${sfx}`;
const ownerB = `runs-b-${sfx}`;
const deploy = `deploy-${sfx}`;
const other = `other-${sfx}`;
describe('run history over HTTP', () => {
  let api: RunningService;
  let seeder: RunSeeder;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);

  beforeAll(async () => {
    api = await startApi(testTopics('runs'));
    seeder = new RunSeeder(api.runtime.store);
    for (const [owner, trigger] of [
      [ownerA, deploy],
      [ownerB, other],
    ]) {
      await createWebhookTrigger(api.url, { owner, source: `${trigger}-hook`, trigger });
    }
    // Oldest first: the history lists them the other way round.
    ids.succeeded = await seeder.succeed(request(deploy, ownerA), { echoed: { commit: 'x' } }, [
      'hello from echo',
    ]);
    ids.failed = await seeder.fail(request(deploy, ownerA, { priority: 7 }));
    ids.requested = await seeder.claim(request(deploy, ownerA));
    ids.otherOwner = await seeder.claim(request(other, ownerB));
    for (const [name, role, owner] of [
      ['viewer-a', 'viewer', ownerA],
      ['editor-b', 'editor', ownerB],
    ]) {
      keys[name] = await createKey(api.url, name, role, owner);
    }
  });

  afterAll(() => api.stop());

  it('lists a trigger’s runs newest first with status, timings, error and trace id', async () => {
    const listed = await http('GET', `/api/runs?trigger=${deploy}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { runId: string }) => r.runId)).toEqual([
      ids.requested,
      ids.failed,
      ids.succeeded,
    ]);
    expect(listed.body.nextCursor).toBeUndefined();
    const [requested, failed, succeeded] = listed.body.items;
    expect(requested).toMatchObject({
      status: 'REQUESTED',
      attempts: 0,
      priority: 0,
      traceId: TRACE_ID,
    });
    expect(failed.priority).toBe(7);
    expect(requested).not.toHaveProperty('finishedAt');
    expect(failed).toMatchObject({
      triggerId: deploy,
      triggerVersion: 1,
      owner: ownerA,
      status: 'FAILED',
      attempts: 2,
      error: { type: 'HttpError', message: 'target answered 500' },
      eventIds: [expect.stringMatching(/^event-/)],
      traceId: TRACE_ID,
    });
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(succeeded.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(succeeded.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(succeeded.startedAt),
    );

    const perTrigger = await http('GET', `/api/triggers/${deploy}/runs`);
    expect(perTrigger.status).toBe(200);
    expect(perTrigger.body.items).toEqual(listed.body.items);
  });

  it('pages with an opaque cursor, never repeating or skipping a run', async () => {
    const first = await http('GET', `/api/runs?trigger=${deploy}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await http(
      'GET',
      `/api/runs?trigger=${deploy}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items.map((r: { runId: string }) => r.runId)).toEqual([ids.succeeded]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('filters by status, owner and time', async () => {
    const failed = await http('GET', `/api/runs?status=FAILED&owner=${ownerA}`);
    expect(failed.body.items.map((r: { runId: string }) => r.runId)).toEqual([ids.failed]);
    const byOwner = await http('GET', `/api/runs?owner=${ownerB}`);
    expect(byOwner.body.items.map((r: { runId: string }) => r.runId)).toEqual([ids.otherOwner]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await http('GET', `/api/runs?trigger=${deploy}&since=${future}`)).body.items).toEqual(
      [],
    );
    const untilFuture = await http('GET', `/api/runs?trigger=${deploy}&until=${future}`);
    expect(untilFuture.body.items).toHaveLength(3);
  });

  it('shows one run in full: input, result, attempts and log lines', async () => {
    const succeeded = await http('GET', `/api/runs/${ids.succeeded}`);
    expect(succeeded.status).toBe(200);
    expect(succeeded.body).toMatchObject({
      runId: ids.succeeded,
      status: 'SUCCEEDED',
      input: { commit: expect.any(String) },
      result: { echoed: { commit: 'x' } },
      logLines: ['hello from echo'],
      targetType: 'local',
      workflow: 'echo',
      provider: 'webhook',
      maxAttempts: 2,
      traceId: TRACE_ID,
      attemptHistory: [{ attempt: 1, runner: HOLDER, outcome: 'succeeded' }],
    });

    const failed = await http('GET', `/api/runs/${ids.failed}`);
    expect(failed.body.attemptHistory).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: 'retry',
        error: { type: 'HttpError', message: 'target answered 503' },
        response: { status: 503, excerpt: '{"error":"503"}' },
      }),
      expect.objectContaining({
        attempt: 2,
        outcome: 'failed',
        response: { status: 500, excerpt: '{"error":"500"}' },
      }),
    ]);
    for (const attempt of failed.body.attemptHistory) {
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers 404 for a run or trigger that does not exist', async () => {
    const run = await http('GET', '/api/runs/no-such-trigger.0a1b');
    expect(run.status).toBe(404);
    expect(run.body.error).toEqual({
      code: 'not_found',
      message: 'run no-such-trigger.0a1b not found',
    });
    const trigger = await http('GET', `/api/triggers/nope-${sfx}/runs`);
    expect(trigger.status).toBe(404);
    expect(trigger.body.error.code).toBe('not_found');
  });

  it('refuses bad filters with every problem by path', async () => {
    const bad = await http('GET', '/api/runs?status=DONE&limit=0&since=yesterday&color=red');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'color',
      'limit',
      'since',
      'status',
    ]);
    const cursor = await http('GET', '/api/runs?cursor=not-a-cursor');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.issues).toEqual([
      { path: 'cursor', message: 'pass the nextCursor of the previous page unchanged' },
    ]);
    expect((await http('GET', '/api/triggers/Bad_Id/runs')).status).toBe(400);
  });

  it('shows a scoped key only its owner’s runs', async () => {
    const viewer = { key: keys['viewer-a'] };
    const all = await http('GET', '/api/runs?limit=500', viewer);
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((r: { owner: string }) => r.owner))).toEqual(
      new Set([ownerA]),
    );
    expect((await http('GET', `/api/runs?owner=${ownerB}`, viewer)).body.items).toEqual([]);
    expect((await http('GET', `/api/runs/${ids.succeeded}`, viewer)).status).toBe(200);
    expect((await http('GET', `/api/runs/${ids.otherOwner}`, viewer)).status).toBe(404);
    expect((await http('GET', `/api/triggers/${other}/runs`, viewer)).status).toBe(404);

    const editorB = { key: keys['editor-b'] };
    const theirs = await http('GET', '/api/runs', editorB);
    expect(theirs.body.items.map((r: { runId: string }) => r.runId)).toEqual([ids.otherOwner]);
    expect((await http('GET', `/api/runs/${ids.failed}`, editorB)).status).toBe(404);

    expect((await http('GET', '/api/runs', { key: null })).status).toBe(401);
  });
});
