import type { RunningService } from '@flint/service-kit';
import fc from 'fast-check';
import { ADMIN_KEY, localTrigger, startApi, testTopics, webhookSource } from '../api-harness';

const sfx = Math.random().toString(36).slice(2, 8);
const SOURCE = `gen-src-${sfx}`;

/** Anything: a value of another type, an empty one, a huge one, a nested one, a NUL. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.json({ maxDepth: 3 }).map((text) => JSON.parse(text) as unknown),
  fc.constantFrom(null, '', -1, 0, 1.5, true, 'a\u0000b', 'x'.repeat(5000), [], {}),
  fc.string({ maxLength: 40 }),
);

/** A valid definition with one field, at any depth, replaced by anything or removed. */
function oneFieldBroken(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    if (path.length > 0) paths.push(path);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    }
  };
  walk(valid, []);
  return fc
    .record({
      path: fc.constantFrom(...paths),
      value: fc.option(anyValue, { nil: undefined }),
      extraKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined, freq: 4 }),
    })
    .map(({ path, value, extraKey }) => {
      const copy = structuredClone(valid);
      let parent = copy as Record<string, unknown>;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      const last = path[path.length - 1] as string;
      if (value === undefined) delete parent[last];
      else parent[last] = value;
      if (extraKey !== undefined) (copy as Record<string, unknown>)[extraKey] = 1;
      return copy;
    });
}

const id = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('UPPER', 'a%00b', '%00', '..', '%2F', 'a'.repeat(300), SOURCE, `${SOURCE}.x`),
);

const request = fc.oneof(
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(
        fc.constantFrom('/api/sources/', '/api/triggers/', '/api/runs/', '/api/triggers/'),
        id,
        fc.constantFrom('', '/versions', '/runs', '/stats', '/versions/1', '/versions/x'),
      )
      .map(([base, value, tail]) => `${base}${encodeURIComponent(value)}${tail}`),
    body: fc.constant(undefined),
    ifMatch: fc.constant(undefined),
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(
        fc.constantFrom('/api/sources', '/api/triggers', '/api/runs'),
        fc.dictionary(
          fc.constantFrom('limit', 'cursor', 'owner', 'status', 'triggerId', 'kind', 'since', 'q'),
          fc.string({ maxLength: 30 }),
          { maxKeys: 4 },
        ),
      )
      .map(([base, query]) => `${base}?${new URLSearchParams(query).toString()}`),
    body: fc.constant(undefined),
    ifMatch: fc.constant(undefined),
  }),
  fc.record({
    route: fc.constantFrom(['POST', '/api/sources'], ['PUT', `/api/sources/${SOURCE}`]),
    body: oneFieldBroken(webhookSource(SOURCE)),
    ifMatch: fc.option(fc.oneof(fc.constantFrom('"1"', '*', 'W/"1"', '"x"'), fc.string()), {
      nil: undefined,
    }),
  }),
  fc.record({
    route: fc.constantFrom(['POST', '/api/triggers'], ['PUT', `/api/triggers/gen-trg-${sfx}`]),
    body: oneFieldBroken(
      localTrigger(`gen-trg-${sfx}`, [SOURCE], { condition: "event.type == 'x'" }),
    ),
    ifMatch: fc.constant(undefined),
  }),
);

describe('the API under generated requests', () => {
  let api: RunningService;

  beforeAll(async () => {
    api = await startApi(testTopics('generated'));
    const created = await fetch(`${api.url}/api/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(webhookSource(SOURCE)),
    });
    expect(created.status).toBe(201);
  });

  afterAll(() => api.stop());

  it('answers 4xx with the problem (and its path, for a body) and never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const { body, ifMatch } = generated;
        const [method, path] =
          'route' in generated ? generated.route : [generated.method, generated.path];
        let json: string;
        try {
          json = JSON.stringify(body);
        } catch {
          return;
        }
        const response = await fetch(`${api.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_KEY}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
          },
          body: body === undefined ? undefined : json,
        });
        const text = await response.text();
        expect({ path, status: response.status }).toEqual({
          path,
          status: expect.any(Number),
        });
        if (response.status >= 500) {
          throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
        }
        if (response.status < 400) return;
        const answer = JSON.parse(text) as {
          error?: { code?: string; message?: string; issues?: { path: string }[] };
        };
        expect(answer.error?.code).toMatch(/^[a-z_]+$/);
        expect(answer.error?.message?.length).toBeGreaterThan(0);
        if (answer.error?.code === 'invalid_definitions') {
          expect(answer.error.issues?.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
