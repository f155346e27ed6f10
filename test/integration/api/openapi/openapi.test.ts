import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ServiceRuntime, openServiceRuntime } from '@flint/service-kit';
import { ApiModule } from '../../../../apps/api/src/api.module';
import { openApiPath } from '../../../../apps/api/src/openapi/openapi-document';
import { apiEnv, call, testTopics } from '../api-harness';

interface Operation {
  operationId: string;
  security: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: unknown }>;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

/**
 * Starts the API on a Fastify instance of our own, so every route Nest registers is seen as it is
 * registered, and compares them with the OpenAPI document the API serves.
 */
describe('the OpenAPI document', () => {
  let runtime: ServiceRuntime;
  let app: INestApplication;
  let url: string;
  const registered: Array<{ method: string; path: string }> = [];

  beforeAll(async () => {
    runtime = await openServiceRuntime('api', { env: apiEnv(testTopics('openapi')) });
    const adapter = new FastifyAdapter();
    adapter.getInstance().addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) registered.push({ method, path: route.url });
    });
    app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRuntime(runtime), adapter, {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
  });

  async function document(): Promise<Document> {
    const response = await call<Document>(url, 'GET', '/api/docs/openapi.json', { key: null });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('is served without a key, and documents every route registered under /api', async () => {
    const doc = await document();
    const apiRoutes = registered.filter(
      (route) => route.path.startsWith('/api') && route.method !== 'HEAD',
    );
    // The definitions area alone registers 20 routes; make sure the hook saw them being registered.
    expect(apiRoutes.length).toBeGreaterThanOrEqual(20);
    const undocumented = apiRoutes
      .filter((route) => !doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()])
      .map((route) => `${route.method} ${route.path}`);
    expect(undocumented).toEqual([]);

    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registeredKeys = new Set(
      apiRoutes.map((route) => `${route.method} ${openApiPath(route.path)}`),
    );
    expect(documented.filter((key) => !registeredKeys.has(key))).toEqual([]);
  });

  it('is a well-formed OpenAPI 3.1 document whose references all resolve', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });

    const operationIds = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/api(\/|$)/);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, operationIds.has(operation.operationId)]).toEqual([where, false]);
        operationIds.add(operation.operationId);
        const statuses = Object.keys(operation.responses);
        expect([where, statuses.some((s) => /^2\d\d$/.test(s))]).toEqual([where, true]);
        for (const response of Object.values(operation.responses)) {
          expect(response.description).toBeTruthy();
        }
        const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
        expect([where, pathParams.map((p) => p.name).sort()]).toEqual([
          where,
          [...templated].sort(),
        ]);
        expect(pathParams.every((p) => p.required)).toBe(true);
        for (const requirement of operation.security) {
          for (const scheme of Object.keys(requirement)) {
            expect(doc.components.securitySchemes[scheme]).toBeDefined();
          }
        }
      }
    }

    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs.filter((ref) => resolvePointer(doc, ref) === undefined);
    expect(unresolved).toEqual([]);
  });

  it('describes the definition routes with their schemas and access', async () => {
    const doc = await document();
    const replace = doc.paths['/api/triggers/{id}']?.put as Operation & {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
      'x-flint-access': string;
    };
    expect(replace['x-flint-access']).toBe('editor');
    expect(replace.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Definition',
    });
    expect(replace.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'header:if-match',
    ]);
    expect(Object.keys(replace.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
    ]);
    const list = doc.paths['/api/sources']?.get as Operation;
    expect(list.parameters?.map((p) => p.name)).toEqual([
      'owner',
      'enabled',
      'provider',
      'limit',
      'cursor',
    ]);
    expect(doc.paths['/api/docs']?.get?.security).toEqual([]);
  });

  it('serves the interactive reference and its assets from the api itself, without a key', async () => {
    const response = await fetch(`${url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//i);
    const assets = [...html.matchAll(/(?:src|href)="(\/api\/docs\/assets\/[^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(assets).toEqual(
      expect.arrayContaining([
        '/api/docs/assets/swagger-ui.css',
        '/api/docs/assets/swagger-ui-bundle.js',
        '/api/docs/assets/reference.js',
      ]),
    );
    for (const asset of assets) {
      const served = await fetch(`${url}${asset}`);
      expect({ asset, status: served.status }).toEqual({ asset, status: 200 });
      expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const script = await (await fetch(`${url}/api/docs/assets/reference.js`)).text();
    expect(script).toContain('"/api/docs/openapi.json"');
    expect(
      (await fetch(`${url}/api/docs/assets/swagger-ui.css`)).headers.get('content-type'),
    ).toContain('text/css');
    const other = await fetch(`${url}/api/docs/assets/package.json`);
    expect(other.status).toBe(404);
    const escape = await fetch(`${url}/api/docs/assets/..%2F..%2Fpackage.json`);
    expect(escape.status).toBe(404);
  });
});

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
