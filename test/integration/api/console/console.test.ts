import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '@flint/service-kit';
import {
  ALL_EVENTS,
  ActivityRepository,
  DeadLetterRepository,
  SourceStatusRepository,
} from '@flint/store';
import { ConsoleLoginLinks } from '../../../../apps/api/src/console/console-login';
import { waitFor } from '../../../support/kafka';
import {
  ADMIN_KEY,
  call,
  createKey,
  createWebhookTrigger,
  startApi,
  testTopics,
} from '../api-harness';
import { RunSeeder, runRequest } from '../runs/run-seeder';

const sfx = randomUUID().slice(0, 6);
const ownerA = `console-a-${sfx}`;
const ownerB = `console-b-${sfx}`;
const hookA = `hook-a-${sfx}`;
const hookB = `hook-b-${sfx}`;
const deployA = `deploy-a-${sfx}`;
const deployB = `deploy-b-${sfx}`;
const ordersA = `orders-a-${sfx}`;

/**
 * What the web console asks of the API beyond the management routes: who the key is, the settings
 * it links with, login links, trigger validation with CEL positions, the overview and per-row
 * aggregates, the live run stream, and the console's own files at `/`.
 */
describe('the api for the web console', () => {
  let api: RunningService;
  let consoleDir: string;
  let seeder: RunSeeder;
  const keys: Record<string, string> = {};
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);

  beforeAll(async () => {
    consoleDir = await mkdtemp(join(tmpdir(), 'flint-console-'));
    await mkdir(join(consoleDir, 'assets'));
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Flint</title>');
    await writeFile(
      join(consoleDir, 'assets', 'app-1234.js'),
      `console.log(${'"x",'.repeat(400)})`,
    );
    api = await startApi(testTopics('console'), {
      FLINT_CONSOLE_DIR: consoleDir,
      FLINT_TRACE_URL_TEMPLATE: 'https://jaeger.example.com/trace/{traceId}',
      FLINT_WEBHOOK_PUBLIC_URL: 'https://hooks.example.com/',
      FLINT_API_STREAM_POLL_MS: '100',
    });
    seeder = new RunSeeder(api.runtime.store);
    await createWebhookTrigger(api.url, { owner: ownerA, source: hookA, trigger: deployA });
    await createWebhookTrigger(api.url, { owner: ownerB, source: hookB, trigger: deployB });
    const orders = await http('POST', '/api/sources', {
      body: { id: ordersA, owner: ownerA, provider: 'event', config: { types: ['shop.order'] } },
    });
    expect(orders.status).toBe(201);
    keys.viewerA = await createKey(api.url, 'viewer a', 'viewer', ownerA);
    keys.editorA = await createKey(api.url, 'editor a', 'editor', ownerA);
  });

  afterAll(async () => {
    await api?.stop();
    await rm(consoleDir, { recursive: true, force: true });
  });

  it('says who the key is', async () => {
    expect((await http('GET', '/api/me')).body).toEqual({ keyId: 'bootstrap', role: 'admin' });
    const viewer = await http('GET', '/api/me', { key: keys.viewerA });
    expect(viewer.body).toEqual({ keyId: expect.any(String), role: 'viewer', owner: ownerA });
    expect((await http('GET', '/api/me', { key: null })).status).toBe(401);
  });

  it('tells the console where traces and webhooks are', async () => {
    const settings = await http('GET', '/api/console/settings', { key: keys.viewerA });
    expect(settings.body).toEqual({
      traceUrlTemplate: 'https://jaeger.example.com/trace/{traceId}',
      webhookBaseUrl: 'https://hooks.example.com',
    });
  });

  it('trades a login token for its key once, without a key of its own', async () => {
    const token = api.app.get(ConsoleLoginLinks).issue(ADMIN_KEY);
    const login = (body: unknown) => http('POST', '/api/console/login', { key: null, body });
    expect(await login({ token })).toMatchObject({ status: 200, body: { key: ADMIN_KEY } });
    expect(await login({ token })).toMatchObject({
      status: 401,
      body: { error: { code: 'login_link_invalid' } },
    });
    expect((await login({ token: 'guess' })).status).toBe(401);
    expect((await login({})).status).toBe(400);
  });

  describe('validating a draft trigger', () => {
    const draft = (extra: Record<string, unknown> = {}) => ({
      id: `draft-${sfx}`,
      owner: ownerA,
      sources: [hookA],
      target: { type: 'local', workflow: 'echo' },
      ...extra,
    });
    const validate = (body: unknown, key?: string) =>
      http('POST', '/api/triggers/validate', { body, ...(key ? { key } : {}) });

    it('says a valid draft is valid, and stores nothing', async () => {
      expect(await validate(draft(), keys.viewerA)).toMatchObject({
        status: 200,
        body: { valid: true, issues: [] },
      });
      expect((await http('GET', `/api/triggers/draft-${sfx}`)).status).toBe(404);
    });

    it('gives the position of a CEL error, as saving does', async () => {
      const broken = draft({ condition: 'event.data.total >\n  ' });
      const answer = await validate(broken, keys.viewerA);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        valid: false,
        issues: [
          {
            path: 'condition',
            message: expect.stringContaining('(at line 2, column 3)'),
            position: { line: 2, column: 3, offset: 21 },
          },
        ],
      });
      const saved = await http('POST', '/api/triggers', { body: broken });
      expect(saved.status).toBe(400);
      expect(saved.body.error.issues).toEqual(answer.body.issues);
    });

    it('names missing sources, schema problems, and owners the key may not use', async () => {
      expect((await validate(draft({ sources: [`nope-${sfx}`] }))).body.issues).toEqual([
        { path: 'sources[0]', message: expect.stringContaining('does not exist') },
      ]);
      expect((await validate(draft({ target: { type: 'grpc' } }))).body.issues).toEqual([
        { path: 'target.type', message: expect.stringContaining('unknown target type') },
      ]);
      expect((await validate(draft({ owner: ownerB }), keys.viewerA)).body).toEqual({
        valid: false,
        issues: [{ path: 'owner', message: `this key may only use owner "${ownerA}"` }],
      });
    });
  });

  describe('aggregates', () => {
    beforeAll(async () => {
      await seeder.succeed(runRequest(deployA, ownerA), { ok: true }, []);
      await seeder.fail(runRequest(deployA, ownerA));
      await seeder.succeed(runRequest(deployB, ownerB), { ok: true }, []);
      const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      await new ActivityRepository(api.runtime.store).record(
        {
          counts: [],
          events: [],
          sourceCounts: [
            { sourceId: ALL_EVENTS, minute, events: 12 },
            { sourceId: hookA, minute, events: 7 },
            { sourceId: hookB, minute, events: 5 },
          ],
        },
        { eventsPerSource: 100, countsSince: new Date(0) },
      );
      const statuses = new SourceStatusRepository(api.runtime.store);
      await statuses.report(`replica-1-${sfx}`, 'webhook', [
        { sourceId: hookA, version: 1, state: 'running' },
      ]);
      await statuses.report(`replica-2-${sfx}`, 'webhook', [
        { sourceId: hookB, version: 1, state: 'failed', error: 'the port is taken' },
      ]);
    });

    it('counts events and runs per minute for the last hour, and lists the sources that are down', async () => {
      const before = await http('GET', '/api/overview');
      // Two dead letters, at offsets of their own: one failed a day ago, before the range.
      const offset = String(Date.now());
      await new DeadLetterRepository(api.runtime.store).index([
        deadLetter(`${offset}1`, new Date(Date.now() - 86_400_000)),
        deadLetter(`${offset}2`, new Date()),
      ]);
      const overview = await http('GET', '/api/overview');
      expect(overview.body.deadLetters).toEqual({
        waiting: before.body.deadLetters.waiting + 2,
        inRange: before.body.deadLetters.inRange + 1,
      });
      expect(overview.status).toBe(200);
      expect(overview.body.series.length).toBeGreaterThanOrEqual(60);
      expect(overview.body.series.length).toBeLessThanOrEqual(61);
      expect(overview.body.totals).toMatchObject({
        events: expect.any(Number),
        runsSucceeded: expect.any(Number),
      });
      expect(overview.body.totals.events).toBeGreaterThanOrEqual(12);
      expect(overview.body.totals.runsFailed).toBeGreaterThanOrEqual(1);
      const down = overview.body.sources.down.map((s: { id: string }) => s.id);
      expect(down).toContain(hookB);
      expect(down).not.toContain(hookA);
      expect(down).not.toContain(ordersA);

      const scoped = await http('GET', '/api/overview', { key: keys.viewerA });
      expect(scoped.body.totals).toEqual({
        events: 7,
        runsStarted: 1,
        runsSucceeded: 1,
        runsFailed: 1,
      });
      expect(scoped.body.sources).toEqual({ total: 2, enabled: 2, down: [] });
      expect(scoped.body.triggers).toEqual({ total: 1, enabled: 1 });
      expect(scoped.body).not.toHaveProperty('deadLetters');
      const sum = (key: string) =>
        scoped.body.series.reduce((n: number, m: Record<string, number>) => n + m[key], 0);
      expect(sum('events')).toBe(7);
      expect(sum('runsFailed')).toBe(1);
    });

    it('gives each source its health, events of the last hour and last event', async () => {
      const activity = await http('GET', `/api/activity/sources?ids=${hookA},${hookB},${ordersA}`);
      const byId = Object.fromEntries(
        activity.body.items.map((a: { sourceId: string }) => [a.sourceId, a]),
      );
      expect(byId[hookA]).toMatchObject({
        health: { state: 'up', replicas: 1 },
        eventsLastHour: 7,
      });
      expect(byId[hookB]).toMatchObject({
        health: { state: 'failed', message: 'the port is taken' },
        eventsLastHour: 5,
      });
      expect(byId[ordersA]).toMatchObject({ health: { state: 'passive' }, eventsLastHour: 0 });
      const scoped = await http('GET', `/api/activity/sources?ids=${hookA},${hookB}`, {
        key: keys.viewerA,
      });
      expect(scoped.body.items.map((a: { sourceId: string }) => a.sourceId)).toEqual([hookA]);
    });

    it('gives each trigger its runs of the last day and its last run', async () => {
      const activity = await http('GET', `/api/activity/triggers?ids=${deployA},${deployB}`, {
        key: keys.viewerA,
      });
      expect(activity.body.items).toEqual([
        {
          triggerId: deployA,
          runs: { started: 1, succeeded: 1, failed: 1 },
          lastRunAt: expect.any(String),
          lastRunStatus: 'FAILED',
        },
      ]);
      expect((await http('GET', '/api/activity/triggers?ids=')).status).toBe(400);
    });

    it('shows each source with its status in GET /api/sources and /api/sources/:id', async () => {
      const failedAt = new Date();
      const succeededAt = new Date(failedAt.getTime() - 60_000);
      const refused = 'a call was refused with 401 unauthorized: the signature does not match';
      await new SourceStatusRepository(api.runtime.store).report(`replica-3-${sfx}`, 'webhook', [
        {
          sourceId: hookA,
          version: 1,
          state: 'running',
          lastSuccessAt: succeededAt,
          lastError: refused,
          lastErrorAt: failedAt,
          consecutiveFailures: 4,
        },
      ]);
      const one = await http('GET', `/api/sources/${hookA}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: hookA, provider: 'webhook', version: 1 });
      expect(one.body.status).toEqual({
        state: 'failing',
        message: refused,
        lastSuccessAt: succeededAt.toISOString(),
        lastError: refused,
        lastErrorAt: failedAt.toISOString(),
        consecutiveFailures: 4,
        replicas: 2,
        reportedAt: expect.any(String),
      });
      const failed = await http('GET', `/api/sources/${hookB}`);
      expect(failed.body.status).toMatchObject({ state: 'failed', message: 'the port is taken' });

      const list = await http('GET', `/api/sources?owner=${ownerA}`, { key: keys.viewerA });
      expect(
        list.body.items.map((s: { id: string; status: { state: string } }) => [
          s.id,
          s.status.state,
        ]),
      ).toEqual([
        [hookA, 'failing'],
        [ordersA, 'passive'],
      ]);
      const overview = await http('GET', '/api/overview');
      expect(overview.body.sources.down.map((s: { id: string }) => s.id)).toContain(hookA);
    });
  });

  it('streams runs as they are claimed and change, only the key’s owner’s', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/api/runs/stream`, {
      headers: { authorization: `Bearer ${keys.viewerA}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: Array<{ runId: string; status: string }> = [];
    const reading = (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (block.includes('event: run') && data) seen.push(JSON.parse(data));
        }
      }
    })().catch(() => undefined);
    try {
      const other = runRequest(deployB, ownerB);
      await seeder.claim(other);
      const mine = runRequest(deployA, ownerA);
      await seeder.succeed(mine, { ok: true }, []);
      await waitFor(() => seen.some((r) => r.runId === mine.runId && r.status === 'SUCCEEDED'), {
        timeoutMs: 20_000,
        description: 'the stream to report the run succeeded',
      });
      expect(seen.some((r) => r.runId === other.runId)).toBe(false);
    } finally {
      controller.abort();
      await reading;
    }
  });

  describe('the console itself', () => {
    it('serves its page at / and at every client-side route, with a strict policy', async () => {
      for (const path of ['/', '/triggers/deploy', `/runs/${deployA}.abc123`]) {
        const page = await fetch(`${api.url}${path}`);
        expect({ path, status: page.status }).toEqual({ path, status: 200 });
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(await page.text()).toContain('<title>Flint</title>');
      }
    });

    it('serves bundles compressed and cached for good, and 404s what is not there', async () => {
      const bundle = await fetch(`${api.url}/assets/app-1234.js`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('cache-control')).toContain('immutable');
      expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(bundle.headers.get('content-encoding')).toBe('gzip');
      const etag = bundle.headers.get('etag') as string;
      const again = await fetch(`${api.url}/assets/app-1234.js`, {
        headers: { 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      expect((await fetch(`${api.url}/assets/missing.js`)).status).toBe(404);
      const unknownApi = await http('GET', '/api/no-such-route');
      expect(unknownApi).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    });
  });
});

/** A dead letter as the indexer writes it, at a place on the dead-letter topic of its own. */
function deadLetter(dlqOffset: string, failedAt: Date) {
  return {
    dlqPartition: 0,
    dlqOffset,
    reason: 'undecodable',
    sourceTopic: 'flint.events',
    failedAt,
    key: null,
    value: Buffer.from('not json'),
    headers: {},
  };
}
