import type { RunningService } from '@flint/service-kit';
import {
  type TestTopics,
  call,
  localTrigger,
  readTopicUntil,
  startApi,
  testTopics,
  webhookSource,
} from '../api-harness';

const sfx = Math.random().toString(36).slice(2, 8);
const id = (name: string) => `${name}-${sfx}`;

describe('sources and triggers over HTTP', () => {
  let api: RunningService;
  let topics: TestTopics;
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);

  beforeAll(async () => {
    topics = testTopics('definitions');
    api = await startApi(topics);
  });

  afterAll(() => api.stop());

  it('creates, reads, replaces with If-Match, enables, disables and deletes a source', async () => {
    const sourceId = id('hooks');
    const created = await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ kind: 'source', id: sourceId, version: 1, enabled: true });
    expect(typeof created.body.updatedAt).toBe('string');

    const again = await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_exists', currentVersion: 1 });

    const read = await http('GET', `/api/sources/${sourceId}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    // The stored source and how it is doing: no webhook service runs in this test.
    expect(read.body).toEqual({
      ...created.body,
      status: {
        state: 'down',
        message: expect.stringContaining('no webhook service reported this source'),
        replicas: 0,
      },
    });

    // The body may leave out kind and id: the route names them.
    const {
      kind: _kind,
      id: _id,
      ...withoutIdentity
    } = webhookSource(sourceId, {
      description: 'second',
    });
    const replaced = await http('PUT', `/api/sources/${sourceId}`, {
      body: withoutIdentity,
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    expect(replaced.body).toMatchObject({ version: 2, description: 'second' });

    const stale = await http('PUT', `/api/sources/${sourceId}`, {
      body: webhookSource(sourceId, { description: 'stale' }),
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    const staleBodyVersion = await http('PUT', `/api/sources/${sourceId}`, {
      body: webhookSource(sourceId, { description: 'stale', version: 1 }),
    });
    expect(staleBodyVersion.status).toBe(409);

    const lastWriterWins = await http('PUT', `/api/sources/${sourceId}`, {
      body: webhookSource(sourceId, { description: 'third' }),
    });
    expect(lastWriterWins.body).toMatchObject({ version: 3, description: 'third' });
    const unchanged = await http('PUT', `/api/sources/${sourceId}`, {
      body: webhookSource(sourceId, { description: 'third' }),
    });
    expect(unchanged.body.version).toBe(3);

    const staleDisable = await http('POST', `/api/sources/${sourceId}/disable`, {
      headers: { 'if-match': '"2"' },
    });
    expect(staleDisable.status).toBe(409);
    expect(staleDisable.body.error).toMatchObject({ code: 'version_conflict', currentVersion: 3 });
    const disabled = await http('POST', `/api/sources/${sourceId}/disable`, {
      headers: { 'if-match': '"3"' },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, version: 4 });
    const disabledAgain = await http('POST', `/api/sources/${sourceId}/disable`);
    expect(disabledAgain.body).toMatchObject({ enabled: false, version: 4 });
    const enabled = await http('POST', `/api/sources/${sourceId}/enable`);
    expect(enabled.body).toMatchObject({ enabled: true, version: 5 });

    const staleDelete = await http('DELETE', `/api/sources/${sourceId}`, {
      headers: { 'if-match': '"4"' },
    });
    expect(staleDelete.status).toBe(409);
    expect(staleDelete.body.error).toMatchObject({ code: 'version_conflict', currentVersion: 5 });
    const deleted = await http('DELETE', `/api/sources/${sourceId}`, {
      headers: { 'if-match': '"5"' },
    });
    expect(deleted.status).toBe(204);
    expect((await http('GET', `/api/sources/${sourceId}`)).status).toBe(404);
    expect((await http('DELETE', `/api/sources/${sourceId}`)).status).toBe(404);
    expect((await http('POST', `/api/sources/${sourceId}/enable`)).status).toBe(404);

    const history = await http('GET', `/api/sources/${sourceId}/versions`);
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((entry: { version: number; action: string; changedBy: string }) => [
        entry.version,
        entry.action,
        entry.changedBy,
      ]),
    ).toEqual([
      [1, 'created', 'bootstrap'],
      [2, 'updated', 'bootstrap'],
      [3, 'updated', 'bootstrap'],
      [4, 'disabled', 'bootstrap'],
      [5, 'enabled', 'bootstrap'],
      [5, 'deleted', 'bootstrap'],
    ]);
    const second = await http('GET', `/api/sources/${sourceId}/versions/2`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      version: 2,
      action: 'updated',
      definition: { id: sourceId, description: 'second', version: 2 },
    });
    expect((await http('GET', `/api/sources/${sourceId}/versions/9`)).status).toBe(404);
    expect((await http('GET', `/api/sources/${sourceId}/versions/zero`)).status).toBe(400);

    // Re-created, it continues from the deleted version.
    const recreated = await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    expect(recreated.body.version).toBe(6);
  });

  it('validates like batch apply: every problem by path, CEL positions, missing sources', async () => {
    const invalid = await http('POST', '/api/sources', {
      body: { id: 'Not A Slug', provider: 'cron', config: { schedule: 'every day' } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_definitions');
    const paths = invalid.body.error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'config.schedule']));

    const sourceId = id('cel-src');
    await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    const badCel = await http('POST', '/api/triggers', {
      body: localTrigger(id('bad-cel'), [sourceId], { condition: 'event.data.x == ' }),
    });
    expect(badCel.status).toBe(400);
    expect(badCel.body.error.issues).toEqual([
      expect.objectContaining({
        path: 'condition',
        message: expect.stringMatching(/line|column|position/i),
      }),
    ]);

    // A run-status source's result filter, and a debounce key, are CEL checked the same way.
    const badResult = await http('POST', '/api/sources', {
      body: {
        id: id('bad-result'),
        provider: 'run-status',
        config: { statuses: ['SUCCEEDED'], result: 'result ==' },
      },
    });
    expect(badResult.status).toBe(400);
    expect(badResult.body.error.issues).toEqual([
      expect.objectContaining({ path: 'config.result', position: expect.any(Object) }),
    ]);
    const badKey = await http('POST', '/api/triggers', {
      body: localTrigger(id('bad-key'), [sourceId], { debounce: { period: '1m', key: 'event.' } }),
    });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.issues).toEqual([
      expect.objectContaining({ path: 'debounce.key', position: expect.any(Object) }),
    ]);

    const orphan = await http('POST', '/api/triggers', {
      body: localTrigger(id('orphan'), [id('missing')]),
    });
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.issues).toEqual([
      { path: 'sources[0]', message: expect.stringContaining(`"${id('missing')}" does not exist`) },
    ]);

    const wrongKind = await http('POST', '/api/triggers', { body: webhookSource(id('wrong')) });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.issues).toEqual([
      { path: 'kind', message: expect.stringContaining('"trigger"') },
    ]);

    const triggerId = id('mismatch');
    await http('POST', '/api/triggers', { body: localTrigger(triggerId, [sourceId]) });
    const otherId = await http('PUT', `/api/triggers/${triggerId}`, {
      body: localTrigger(id('other'), [sourceId]),
    });
    expect(otherId.status).toBe(400);
    expect(otherId.body.error.issues).toEqual([
      { path: 'id', message: expect.stringContaining(triggerId) },
    ]);
    const badIfMatch = await http('PUT', `/api/triggers/${triggerId}`, {
      body: localTrigger(triggerId, [sourceId]),
      headers: { 'if-match': 'yesterday' },
    });
    expect(badIfMatch.status).toBe(400);
    expect(badIfMatch.body.error.code).toBe('invalid_header');
    expect((await http('PUT', `/api/triggers/${id('nope')}`, { body: {} })).status).toBe(404);
  });

  it('refuses to delete a source that triggers use, naming them', async () => {
    const sourceId = id('shared');
    await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    for (const name of ['user-b', 'user-a']) {
      const created = await http('POST', '/api/triggers', {
        body: localTrigger(id(name), [sourceId]),
      });
      expect(created.status).toBe(201);
    }
    const refused = await http('DELETE', `/api/sources/${sourceId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('in_use');
    expect(refused.body.error.message).toContain(`"${id('user-a')}", "${id('user-b')}"`);

    expect((await http('DELETE', `/api/triggers/${id('user-a')}`)).status).toBe(204);
    expect((await http('DELETE', `/api/triggers/${id('user-b')}`)).status).toBe(204);
    expect((await http('DELETE', `/api/sources/${sourceId}`)).status).toBe(204);
  });

  it('pages through filtered listings with cursors, in id order', async () => {
    const owner = `pages-${sfx}`;
    const hookId = id('page-hook');
    const otherHook = id('page-other');
    for (const source of [hookId, otherHook]) {
      await http('POST', '/api/sources', { body: webhookSource(source, { owner }) });
    }
    await http('POST', '/api/sources', {
      body: {
        kind: 'source',
        id: id('page-cron'),
        owner,
        provider: 'cron',
        config: { schedule: '* * * * *' },
      },
    });
    const triggerIds = Array.from({ length: 7 }, (_, i) => `${owner}-t${i}`);
    for (const [i, triggerId] of [...triggerIds].reverse().entries()) {
      const created = await http('POST', '/api/triggers', {
        body: localTrigger(triggerId, [i % 2 === 0 ? hookId : otherHook], {
          owner,
          enabled: i !== 3,
        }),
      });
      expect(created.status).toBe(201);
    }

    const all = await collectPages(`/api/triggers?owner=${owner}&limit=2`);
    expect(all.pages).toBe(4);
    expect(all.ids).toEqual(triggerIds);

    const onHook = await collectPages(`/api/triggers?owner=${owner}&source=${hookId}&limit=3`);
    expect(onHook.ids).toEqual(triggerIds.filter((_, i) => (6 - i) % 2 === 0));
    const disabled = await collectPages(`/api/triggers?owner=${owner}&enabled=false`);
    expect(disabled.ids).toEqual([triggerIds[3]]);
    const webhooks = await collectPages(`/api/sources?owner=${owner}&provider=webhook&limit=1`);
    expect(webhooks.ids).toEqual([hookId, otherHook].sort());
    expect(webhooks.pages).toBe(2);

    const tooMany = await http('GET', '/api/triggers?limit=501');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'invalid_query' });
    expect(tooMany.body.error.issues[0].path).toBe('limit');
    const badCursor = await http('GET', '/api/triggers?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    const unknownFilter = await http('GET', '/api/triggers?provider=webhook');
    expect(unknownFilter.status).toBe(400);
    expect(unknownFilter.body.error.issues[0].path).toBe('provider');
  });

  it('publishes every change to the triggers topic through the outbox, ending in a tombstone', async () => {
    const sourceId = id('published');
    const key = `source:${sourceId}`;
    await http('POST', '/api/sources', { body: webhookSource(sourceId) });
    await http('PUT', `/api/sources/${sourceId}`, {
      body: webhookSource(sourceId, { description: 'changed' }),
    });
    await http('POST', `/api/sources/${sourceId}/disable`);
    await http('DELETE', `/api/sources/${sourceId}`);

    const records = await readTopicUntil(
      topics.triggers,
      (read) => read.some((r) => r.key === key && r.value === null),
      `the tombstone of ${key}`,
    );
    const mine = records.filter((r) => r.key === key);
    expect(mine.map((r) => (r.value === null ? null : r.value.version))).toEqual([1, 2, 3, null]);
    expect(mine[1]?.value).toMatchObject({ description: 'changed' });
    expect(mine[2]?.value).toMatchObject({ enabled: false });
  });

  it('needs an API key for every definition route', async () => {
    const noKey = await http('GET', '/api/sources', { key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBeDefined();
    const wrongKey = await http('POST', '/api/triggers', { key: 'wrong', body: {} });
    expect(wrongKey.status).toBe(401);
    expect((await http('GET', '/api/sources')).status).toBe(200);
  });

  it('limits scoped keys to their owner, and moving a definition needs rights on both owners', async () => {
    const ownerA = `own-a-${sfx}`;
    const ownerB = `own-b-${sfx}`;
    const createKey = async (role: string, owner: string) => {
      const created = await http('POST', '/api/keys', {
        body: { name: `${role}-${owner}`, role, owner },
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; key: string };
    };
    const editorA = await createKey('editor', ownerA);
    const viewerA = await createKey('viewer', ownerA);
    const mine = id('mine');
    const theirs = id('theirs');

    // Without an owner, a scoped key creates in its own.
    const created = await http('POST', '/api/sources', {
      key: editorA.key,
      body: { id: mine, provider: 'webhook', config: { path: mine, auth: { type: 'none' } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.owner).toBe(ownerA);
    await http('POST', '/api/sources', { body: webhookSource(theirs, { owner: ownerB }) });

    expect((await http('GET', `/api/sources/${theirs}`, { key: editorA.key })).status).toBe(404);
    expect((await http('DELETE', `/api/sources/${theirs}`, { key: editorA.key })).status).toBe(404);
    const listed = await http('GET', '/api/sources', { key: viewerA.key });
    expect(listed.body.items.map((item: { owner: string }) => item.owner)).toEqual([ownerA]);
    const peeking = await http('GET', `/api/sources?owner=${ownerB}`, { key: editorA.key });
    expect(peeking.body.items).toEqual([]);

    const intoB = await http('PUT', `/api/sources/${mine}`, {
      key: editorA.key,
      body: webhookSource(mine, { owner: ownerB }),
    });
    expect(intoB.status).toBe(403);
    const takeOver = await http('PUT', `/api/sources/${theirs}`, {
      key: editorA.key,
      body: webhookSource(theirs, { owner: ownerA }),
    });
    expect(takeOver.status).toBe(404);
    expect((await http('POST', `/api/sources/${mine}/disable`, { key: viewerA.key })).status).toBe(
      403,
    );
    expect((await http('GET', `/api/sources/${mine}`, { key: viewerA.key })).status).toBe(200);

    const moved = await http('PUT', `/api/sources/${mine}`, {
      body: webhookSource(mine, { owner: ownerB }),
    });
    expect(moved.body).toMatchObject({ owner: ownerB, version: 2 });
    expect((await http('GET', `/api/sources/${mine}`, { key: editorA.key })).status).toBe(404);
    const history = await http('GET', `/api/sources/${mine}/versions`);
    expect(history.body.items.map((entry: { changedBy: string }) => entry.changedBy)).toEqual([
      editorA.id,
      'bootstrap',
    ]);
    expect((await http('GET', `/api/sources/${mine}/versions`, { key: viewerA.key })).status).toBe(
      404,
    );

    // Triggers are scoped the same way, whichever route reads them.
    const theirTrigger = id('their-trigger');
    const createdTrigger = await http('POST', '/api/triggers', {
      body: { ...localTrigger(theirTrigger, [theirs]), owner: ownerB },
    });
    expect(createdTrigger.status).toBe(201);
    for (const path of [
      `/api/triggers/${theirTrigger}`,
      `/api/triggers/${theirTrigger}/versions`,
      `/api/triggers/${theirTrigger}/versions/1`,
    ]) {
      const answer = await http('GET', path, { key: viewerA.key });
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 404,
        body: { error: expect.objectContaining({ code: 'not_found' }) },
      });
    }
    expect(
      (await http('DELETE', `/api/triggers/${theirTrigger}`, { key: editorA.key })).status,
    ).toBe(404);
    expect(
      (await http('POST', `/api/triggers/${theirTrigger}/disable`, { key: editorA.key })).status,
    ).toBe(404);
    const triggersOfA = await http('GET', '/api/triggers', { key: viewerA.key });
    expect(triggersOfA.body.items.map((item: { id: string }) => item.id)).not.toContain(
      theirTrigger,
    );
    expect((await http('GET', `/api/triggers/${theirTrigger}`)).status).toBe(200);
  });

  async function collectPages(firstPath: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pages = 0;
    let path: string | undefined = firstPath;
    while (path) {
      const page = await http('GET', path);
      expect(page.status).toBe(200);
      pages += 1;
      ids.push(...page.body.items.map((item: { id: string }) => item.id));
      path = page.body.nextCursor
        ? `${firstPath}&cursor=${encodeURIComponent(page.body.nextCursor)}`
        : undefined;
    }
    return { ids, pages };
  }
});
