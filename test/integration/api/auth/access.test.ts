import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type RunningService, startService } from '@flint/service-kit';
import { SecretCipher, SecretRepository, parseSecretKeyRing } from '@flint/store';
import { ApiModule } from '../../../../apps/api/src/api.module';
import {
  ADMIN_KEY,
  type HttpResult,
  type JsonBody,
  type TestTopics,
  apiEnv,
  call,
  startApi,
  testTopics,
  webhookSource,
} from '../api-harness';

const sfx = randomBytes(3).toString('hex');
const KEY_RING_1 = `k1-${sfx}:${randomBytes(32).toString('base64')}`;
const KEY_RING_2 = `k2-${sfx}:${randomBytes(32).toString('base64')}`;
const KEY_RING_3 = `k3-${sfx}:${randomBytes(32).toString('base64')}`;
/** Every secret value this file stores; none may ever come back in a response or a log line. */
const SECRET_VALUES = [
  `team-a-hmac-${randomBytes(12).toString('hex')}`,
  `team-b-token-${randomBytes(12).toString('hex')}`,
  `replaced-value-${randomBytes(12).toString('hex')}`,
  `refused-value-${randomBytes(12).toString('hex')}`,
  `oversized-value-${randomBytes(12).toString('hex')}`,
  `broken-json-value-${randomBytes(12).toString('hex')}`,
];
const [TEAM_A_VALUE, TEAM_B_VALUE, REPLACED_VALUE, REFUSED_VALUE, OVERSIZED_VALUE, BROKEN_VALUE] =
  SECRET_VALUES;
const teamA = `team-a-${sfx}`;
const teamB = `team-b-${sfx}`;

/** Captures the API's JSON log lines. */
class LogCapture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.chunks.push(String(chunk));
    done();
  }
  text(): string {
    return this.chunks.join('');
  }
}

describe('API access: keys, roles, owners and secrets', () => {
  let api: RunningService;
  let topics: TestTopics;
  const logs = new LogCapture();
  /** The raw text of every response, searched for secret values at the end. */
  const responses: string[] = [];
  const keys: Record<string, string> = {};
  let revokedKeyId: string;

  async function http<Body = JsonBody>(
    key: string | null,
    method: string,
    path: string,
    body?: unknown,
    baseUrl = api.url,
  ): Promise<HttpResult<Body>> {
    const result = await call<Body>(baseUrl, method, path, { key, body });
    responses.push(JSON.stringify(result.body ?? ''));
    return result;
  }

  beforeAll(async () => {
    topics = testTopics(`access-${sfx}`);
    api = await startService('api', (runtime) => ApiModule.forRuntime(runtime), {
      env: apiEnv(topics, { FLINT_SECRETS_KEYS: KEY_RING_1, FLINT_LOG_LEVEL: 'trace' }),
      handleSignals: false,
      logDestination: logs,
    });
    const create = async (name: string, role: string, owner?: string) => {
      const created = await http(ADMIN_KEY, 'POST', '/api/keys', { name, role, owner });
      expect(created.status).toBe(201);
      return created.body as { id: string; key: string };
    };
    keys.admin = (await create('ops', 'admin')).key;
    keys.editorA = (await create('ci a', 'editor', teamA)).key;
    keys.editorB = (await create('ci b', 'editor', teamB)).key;
    keys.viewerA = (await create('dashboard a', 'viewer', teamA)).key;
    const revoked = await create('leaked', 'editor', teamA);
    keys.revoked = revoked.key;
    revokedKeyId = revoked.id;
    expect((await http(ADMIN_KEY, 'DELETE', `/api/keys/${revokedKeyId}`)).status).toBe(200);
    keys.bad = `flint_${'0'.repeat(16)}_${randomBytes(32).toString('base64url')}`;
  });

  afterAll(async () => {
    await api?.runtime.store.query('DELETE FROM secrets WHERE name LIKE $1', [`%${sfx}`]);
    await api?.stop();
  });

  describe('API keys', () => {
    it('shows a key once, stores only its hash, and lists keys without either', async () => {
      const created = await http(ADMIN_KEY, 'POST', '/api/keys', {
        name: 'script',
        role: 'viewer',
        owner: teamB,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'script', role: 'viewer', owner: teamB });
      expect(created.body.key).toMatch(new RegExp(`^flint_${created.body.id}_[A-Za-z0-9_-]{43}$`));

      const listed = await http(ADMIN_KEY, 'GET', '/api/keys');
      expect(listed.status).toBe(200);
      const entry = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
      expect(entry).toEqual({
        id: created.body.id,
        name: 'script',
        role: 'viewer',
        owner: teamB,
        createdAt: created.body.createdAt,
      });
      const text = JSON.stringify(listed.body);
      for (const key of Object.values(keys)) expect(text).not.toContain(key);
      expect(text).not.toContain(created.body.key);
      expect(text).not.toMatch(/hash/i);

      const rows = await api.runtime.store.query<{ key_hash: Uint8Array }>(
        'SELECT key_hash FROM api_keys WHERE id = $1',
        [created.body.id],
      );
      expect(Buffer.from(rows[0].key_hash).toString('utf8')).not.toContain(created.body.key);
      expect(Buffer.from(rows[0].key_hash)).toHaveLength(32);
    });

    it('records when a key was last used and when it was revoked', async () => {
      await http(keys.viewerA, 'GET', '/api/secrets');
      const listed = await http(ADMIN_KEY, 'GET', '/api/keys');
      const viewer = listed.body.items.find((k: { name: string }) => k.name === 'dashboard a');
      expect(typeof viewer.lastUsedAt).toBe('string');
      const revoked = listed.body.items.find((k: { id: string }) => k.id === revokedKeyId);
      expect(typeof revoked.revokedAt).toBe('string');
    });

    it('refuses bad key requests with every problem by path', async () => {
      const adminWithOwner = await http(ADMIN_KEY, 'POST', '/api/keys', {
        name: 'x',
        role: 'admin',
        owner: teamA,
      });
      expect(adminWithOwner.status).toBe(400);
      expect(adminWithOwner.body.error.issues).toEqual([
        { path: 'owner', message: 'an admin key sees every owner; leave out "owner"' },
      ]);
      const editorWithoutOwner = await http(ADMIN_KEY, 'POST', '/api/keys', {
        name: '',
        role: 'editor',
      });
      expect(editorWithoutOwner.status).toBe(400);
      expect(editorWithoutOwner.body.error.issues.map((i: { path: string }) => i.path)).toEqual([
        'name',
        'owner',
      ]);
      const badRole = await http(ADMIN_KEY, 'POST', '/api/keys', { name: 'x', role: 'root' });
      expect(badRole.body.error.issues[0]).toEqual({
        path: 'role',
        message: 'must be "viewer", "editor" or "admin"',
      });
      expect((await http(ADMIN_KEY, 'DELETE', '/api/keys/0123456789abcdef')).status).toBe(404);
      const bootstrap = await http(ADMIN_KEY, 'DELETE', '/api/keys/bootstrap');
      expect(bootstrap.status).toBe(400);
      expect(bootstrap.body.error.message).toContain('FLINT_ADMIN_API_KEY');
    });
  });

  describe('the role × owner matrix', () => {
    type Who =
      'bootstrap' | 'admin' | 'editorA' | 'editorB' | 'viewerA' | 'none' | 'bad' | 'revoked';
    const key = (who: Who): string | null =>
      who === 'bootstrap' ? ADMIN_KEY : who === 'none' ? null : keys[who];
    const secretA = `shared.hmac-${sfx}`;

    beforeAll(async () => {
      const stored = await http(keys.editorA, 'PUT', `/api/secrets/${secretA}`, {
        value: TEAM_A_VALUE,
      });
      expect(stored.status).toBe(201);
      expect(stored.body).toMatchObject({ name: secretA, owner: teamA, version: 1 });
      const source = (owner: string) => webhookSource(`hooks-${owner}`, { owner });
      const applied = await http(ADMIN_KEY, 'PUT', '/api/definitions', {
        definitions: [source(teamA), source(teamB)],
      });
      expect(applied.status).toBe(200);
    });

    it('answers 401 without a valid key, with a message saying why', async () => {
      const cases: [Who, string][] = [
        ['none', 'missing API key: send "Authorization: Bearer <key>"'],
        ['bad', 'invalid API key'],
        ['revoked', 'this API key was revoked; ask an admin for a new one'],
      ];
      for (const [who, message] of cases) {
        for (const [method, path] of [
          ['GET', '/api/keys'],
          ['GET', '/api/secrets'],
          ['GET', '/api/definitions?kind=source'],
        ]) {
          const answer = await http(key(who), method, path);
          expect({ who, path, status: answer.status, body: answer.body }).toEqual({
            who,
            path,
            status: 401,
            body: { error: { code: 'unauthorized', message } },
          });
        }
      }
    });

    it('needs no key for the OpenAPI document, health and metrics', async () => {
      for (const path of ['/api/docs/openapi.json', '/api/docs', '/metrics', '/health/live']) {
        const response = await fetch(`${api.url}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    });

    it('lets only admins manage keys', async () => {
      const expected: [Who, number][] = [
        ['bootstrap', 200],
        ['admin', 200],
        ['editorA', 403],
        ['viewerA', 403],
      ];
      for (const [who, status] of expected) {
        const answer = await http(key(who), 'GET', '/api/keys');
        expect({ who, status: answer.status }).toEqual({ who, status });
      }
      const refused = await http(keys.editorA, 'POST', '/api/keys', { name: 'x', role: 'admin' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe('this needs an admin key; this is an editor key');
    });

    it('scopes secrets to the owner: see, change, delete', async () => {
      const reads: [Who, number][] = [
        ['admin', 200],
        ['editorA', 200],
        ['viewerA', 200],
        ['editorB', 404],
      ];
      for (const [who, status] of reads) {
        const answer = await http(key(who), 'GET', `/api/secrets/${secretA}`);
        expect({ who, status: answer.status }).toEqual({ who, status });
      }
      const writes: [Who, number][] = [
        ['editorB', 403],
        ['viewerA', 403],
        ['editorA', 200],
        ['admin', 200],
      ];
      for (const [who, status] of writes) {
        const value = status === 200 ? REPLACED_VALUE : REFUSED_VALUE;
        const answer = await http(key(who), 'PUT', `/api/secrets/${secretA}`, { value });
        expect({ who, status: answer.status }).toEqual({ who, status });
      }
      const taken = await http(keys.editorB, 'PUT', `/api/secrets/${secretA}`, {
        value: REFUSED_VALUE,
        owner: teamB,
      });
      expect(taken.status).toBe(403);
      expect(taken.body.error.message).toContain(`belongs to owner "${teamA}"`);
      const intoOtherTeam = await http(keys.editorA, 'PUT', `/api/secrets/new-${sfx}`, {
        value: REFUSED_VALUE,
        owner: teamB,
      });
      expect(intoOtherTeam.status).toBe(403);

      const metadata = await http(keys.viewerA, 'GET', `/api/secrets/${secretA}`);
      expect(metadata.body).toEqual({
        name: secretA,
        owner: teamA,
        keyId: `k1-${sfx}`,
        version: 3,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });

      const secretB = `b-token-${sfx}`;
      expect(
        (await http(keys.editorB, 'PUT', `/api/secrets/${secretB}`, { value: TEAM_B_VALUE }))
          .status,
      ).toBe(201);
      const listB = await http(keys.editorB, 'GET', '/api/secrets');
      expect(listB.body.items.map((s: { name: string }) => s.name)).toEqual([secretB]);
      const listAll = await http(keys.admin, 'GET', '/api/secrets');
      expect(listAll.body.items.map((s: { name: string }) => s.name)).toEqual(
        expect.arrayContaining([secretA, secretB]),
      );

      expect((await http(keys.editorB, 'DELETE', `/api/secrets/${secretA}`)).status).toBe(404);
      expect((await http(keys.viewerA, 'DELETE', `/api/secrets/${secretA}`)).status).toBe(403);
      expect((await http(keys.editorB, 'DELETE', `/api/secrets/${secretB}`)).status).toBe(204);
      expect((await http(keys.editorB, 'GET', `/api/secrets/${secretB}`)).status).toBe(404);
      expect((await http(keys.editorB, 'POST', '/api/secrets/rotate')).status).toBe(403);
    });

    it('validates secret names and bodies', async () => {
      const badName = await http(keys.editorA, 'PUT', '/api/secrets/-bad-', { value: 'x' });
      expect(badName.status).toBe(400);
      expect(badName.body.error.issues[0].message).toContain('must be the name of a secret');
      const empty = await http(keys.editorA, 'PUT', `/api/secrets/e-${sfx}`, { value: '' });
      expect(empty.body.error.issues).toEqual([{ path: 'value', message: 'must not be empty' }]);
      const extra = await http(keys.editorA, 'PUT', `/api/secrets/e-${sfx}`, {
        value: REFUSED_VALUE,
        scope: 'x',
      });
      expect(extra.status).toBe(400);
      expect(extra.body.error.issues[0]).toMatchObject({ path: 'scope' });
    });

    it('scopes definitions: listings by owner, apply by role and owner', async () => {
      const sourcesSeenBy = async (who: Who) => {
        const answer = await http(key(who), 'GET', '/api/definitions?kind=source');
        return answer.body.items
          .map((d: { id: string }) => d.id)
          .filter((id: string) => id.endsWith(sfx));
      };
      expect(await sourcesSeenBy('editorB')).toEqual([`hooks-${teamB}`]);
      expect(await sourcesSeenBy('viewerA')).toEqual([`hooks-${teamA}`]);
      expect(await sourcesSeenBy('admin')).toEqual([`hooks-${teamA}`, `hooks-${teamB}`]);

      const mine = webhookSource(`own-${sfx}`, { owner: teamA });
      expect(
        (await http(keys.editorA, 'PUT', '/api/definitions', { definitions: [mine] })).status,
      ).toBe(200);
      const viewer = await http(keys.viewerA, 'PUT', '/api/definitions', { definitions: [mine] });
      expect(viewer.status).toBe(403);

      const foreign = await http(keys.editorA, 'PUT', '/api/definitions', {
        definitions: [mine, webhookSource(`theirs-${sfx}`, { owner: teamB })],
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.message).toBe(
        `source "theirs-${sfx}" belongs to owner "${teamB}"; this key may only change owner "${teamA}"`,
      );
      const takeover = await http(keys.editorB, 'PUT', '/api/definitions', {
        definitions: [webhookSource(`hooks-${teamA}`, { owner: teamB })],
      });
      expect(takeover.status).toBe(403);
      expect(takeover.body.error.message).toContain(`source "hooks-${teamA}" belongs to owner`);
      expect(await sourcesSeenBy('editorB')).toEqual([`hooks-${teamB}`]);
    });
  });

  describe('sharing events between owners', () => {
    it('lets only an admin set fromOwners, and an editor keep it while changing the rest', async () => {
      const shared = {
        kind: 'trigger',
        id: `audit-${sfx}`,
        owner: teamA,
        eventTypes: ['com.example.order'],
        fromOwners: [teamB],
        target: { type: 'local', workflow: 'echo' },
      };
      const byEditor = await http(keys.editorA, 'POST', '/api/triggers', shared);
      expect(byEditor.status).toBe(403);
      expect(byEditor.body.error.message).toContain('only an admin key may set fromOwners');
      const inBatch = await http(keys.editorA, 'PUT', '/api/definitions', {
        definitions: [shared],
      });
      expect(inBatch.status).toBe(403);
      expect((await http(keys.admin, 'POST', '/api/triggers', shared)).status).toBe(201);

      const path = `/api/triggers/${shared.id}`;
      const kept = { ...shared, description: 'orders of both teams' };
      expect((await http(keys.editorA, 'PUT', path, kept)).status).toBe(200);
      const widened = await http(keys.editorA, 'PUT', path, { ...kept, fromOwners: 'any' });
      expect(widened.status).toBe(403);
      const batchWidened = await http(keys.editorA, 'PUT', '/api/definitions', {
        definitions: [{ ...kept, fromOwners: 'any' }],
      });
      expect(batchWidened.status).toBe(403);
      expect((await http(keys.admin, 'DELETE', path)).status).toBe(204);
    });
  });

  describe('secrets at rest', () => {
    it('stores ciphertext only, bound to the name, and rotates to a new key', async () => {
      const name = `rotating-${sfx}`;
      expect(
        (
          await http(keys.admin, 'PUT', `/api/secrets/${name}`, {
            value: TEAM_B_VALUE,
            owner: teamB,
          })
        ).status,
      ).toBe(201);
      const dump = await api.runtime.store.query<{ row: string }>(
        'SELECT row_to_json(s)::text AS row FROM secrets s',
      );
      const text = dump.map((d) => d.row).join('\n');
      for (const value of SECRET_VALUES) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString('hex'));
        expect(text).not.toContain(Buffer.from(value).toString('base64'));
      }

      const rotatedApi = await startApi(topics, {
        FLINT_SECRETS_KEYS: `${KEY_RING_2},${KEY_RING_1}`,
      });
      try {
        const rotation = await http(
          ADMIN_KEY,
          'POST',
          '/api/secrets/rotate',
          undefined,
          rotatedApi.url,
        );
        expect(rotation.status).toBe(200);
        expect(rotation.body.keyId).toBe(`k2-${sfx}`);
        expect(rotation.body.reencrypted).toBeGreaterThanOrEqual(2);
        const again = await http(
          ADMIN_KEY,
          'POST',
          '/api/secrets/rotate',
          undefined,
          rotatedApi.url,
        );
        expect(again.body).toMatchObject({
          reencrypted: 0,
          unchanged: rotation.body.reencrypted + rotation.body.unchanged,
        });
      } finally {
        await rotatedApi.stop();
      }
      const onlyNewKey = new SecretRepository(
        api.runtime.store,
        new SecretCipher(parseSecretKeyRing(KEY_RING_2)!),
      );
      await expect(onlyNewKey.reveal(name)).resolves.toBe(TEAM_B_VALUE);
      const metadata = await http(keys.admin, 'GET', `/api/secrets/${name}`);
      expect(metadata.body).toMatchObject({ keyId: `k2-${sfx}`, version: 1 });

      const oldKeyOnly = new SecretRepository(
        api.runtime.store,
        new SecretCipher(parseSecretKeyRing(KEY_RING_1)!),
      );
      await expect(oldKeyOnly.reveal(name)).rejects.toThrow(
        `secret "${name}" is encrypted under key "k2-${sfx}", which is not in FLINT_SECRETS_KEYS`,
      );

      await api.runtime.store.query(
        `UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE name = $2) WHERE name = $1`,
        [`shared.hmac-${sfx}`, name],
      );
      await expect(onlyNewKey.reveal(`shared.hmac-${sfx}`)).rejects.toThrow(
        `secret "shared.hmac-${sfx}" cannot be decrypted with key "k2-${sfx}"`,
      );

      const blockedApi = await startApi(topics, {
        FLINT_SECRETS_KEYS: `${KEY_RING_3},${KEY_RING_2}`,
      });
      try {
        const blocked = await http(
          ADMIN_KEY,
          'POST',
          '/api/secrets/rotate',
          undefined,
          blockedApi.url,
        );
        expect(blocked.status).toBe(409);
        expect(blocked.body.error).toEqual({
          code: 'secret_undecryptable',
          message: expect.stringContaining(`secret "shared.hmac-${sfx}" cannot be decrypted`),
        });
      } finally {
        await blockedApi.stop();
      }
    });

    it('answers 503 naming FLINT_SECRETS_KEYS when no key ring is configured', async () => {
      const plain = await startApi(topics, { FLINT_SECRETS_KEYS: '' });
      try {
        for (const [method, path, body] of [
          ['GET', '/api/secrets', undefined],
          ['PUT', `/api/secrets/x-${sfx}`, { value: REFUSED_VALUE }],
        ] as const) {
          const answer = await http(ADMIN_KEY, method, path, body, plain.url);
          expect(answer.status).toBe(503);
          expect(answer.body.error).toMatchObject({ code: 'secrets_disabled' });
          expect(answer.body.error.message).toContain('set FLINT_SECRETS_KEYS');
        }
      } finally {
        await plain.stop();
      }
    });

    it('never returns or logs a secret value, even in refused requests', async () => {
      const raw = async (body: string, contentType = 'application/json') => {
        const response = await fetch(`${api.url}/api/secrets/raw-${sfx}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${keys.editorA}`, 'content-type': contentType },
          body,
        });
        const text = await response.text();
        responses.push(text);
        return { status: response.status, body: JSON.parse(text) };
      };
      const broken = await raw(`{"value": "${BROKEN_VALUE}",}`);
      expect(broken).toEqual({
        status: 400,
        body: { error: { code: 'invalid_json', message: 'the request body is not valid JSON' } },
      });
      const notAString = await raw(JSON.stringify({ value: [OVERSIZED_VALUE] }));
      expect(notAString.status).toBe(400);
      const oversized = await raw(
        JSON.stringify({ value: OVERSIZED_VALUE + 'x'.repeat(2 * 1024 * 1024) }),
      );
      expect(oversized.status).toBe(413);
      expect(oversized.body.error.code).toBe('payload_too_large');

      const everything = `${responses.join('\n')}\n${logs.text()}`;
      expect(logs.text().length).toBeGreaterThan(0);
      for (const value of SECRET_VALUES) expect(everything).not.toContain(value);
      for (const key of Object.values(keys)) expect(logs.text()).not.toContain(key);
    });
  });
});

describe('API request limits', () => {
  let api: RunningService;

  beforeAll(async () => {
    api = await startApi(testTopics(`limits-${sfx}`), {
      FLINT_API_BODY_LIMIT_BYTES: '4096',
      FLINT_API_RATE_LIMIT_PER_SECOND: '0.01',
      FLINT_API_RATE_LIMIT_BURST: '3',
      FLINT_SECRETS_KEYS: '',
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('refuses a body over FLINT_API_BODY_LIMIT_BYTES with 413 and a JSON error', async () => {
    const response = await fetch(`${api.url}/api/definitions`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ definitions: [{ description: 'x'.repeat(5000) }] }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        code: 'payload_too_large',
        message:
          'the request body is larger than the limit of 4096 bytes (FLINT_API_BODY_LIMIT_BYTES)',
      },
    });
  });

  it('limits each key to its burst, then answers 429 with Retry-After', async () => {
    const created = await call(api.url, 'POST', '/api/keys', {
      body: { name: 'burst', role: 'viewer', owner: 'team' },
    });
    expect(created.status).toBe(201);
    const viewer = created.body.key as string;
    const statuses: number[] = [];
    let limited: HttpResult | undefined;
    for (let i = 0; i < 4; i++) {
      const answer = await call(api.url, 'GET', '/api/secrets', { key: viewer });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses).toEqual([503, 503, 503, 429]);
    expect(limited?.headers.get('retry-after')).toBe('100');
    expect(limited?.body).toEqual({
      error: {
        code: 'rate_limited',
        message: 'too many requests with this API key; retry in 100 s',
      },
    });
    const other = await call(api.url, 'POST', '/api/keys', {
      body: { name: 'other', role: 'viewer', owner: 'team' },
    });
    expect(other.status).toBe(201);
    const otherAnswer = await call(api.url, 'GET', '/api/secrets', {
      key: other.body.key as string,
    });
    expect(otherAnswer.status).toBe(503);
  });
});
