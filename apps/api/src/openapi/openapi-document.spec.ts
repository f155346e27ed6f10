import { z } from 'zod';
import { type ApiRoute, component } from './api-route';
import { buildOpenApiDocument, openApiPath } from './openapi-document';

const Widget = component('Widget', z.object({ id: z.string(), size: z.number().default(1) }));
const WidgetList = z.object({ items: z.array(Widget) });

const routes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/widgets',
    tag: 'Widgets',
    access: 'viewer',
    summary: 'List <widgets>',
    query: z.object({ limit: z.string().optional().describe('How many.') }),
    responses: { 200: { description: 'Widgets.', schema: WidgetList } },
  },
  {
    method: 'PUT',
    path: '/api/widgets/:id',
    tag: 'Widgets',
    access: 'editor',
    summary: 'Replace a widget',
    params: z.object({ id: z.string() }),
    body: Widget,
    responses: { 200: { description: 'Stored.', schema: Widget, headers: { ETag: 'Version.' } } },
  },
  {
    method: 'GET',
    path: '/api/widgets/docs',
    tag: 'Docs',
    access: 'public',
    summary: 'Public page',
    responses: { 200: { description: 'HTML.' } },
  },
];

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(routes, { version: '1.2.3' });

  it('turns route parameters into OpenAPI path templates', () => {
    expect(openApiPath('/api/sources/:id/versions/:version')).toBe(
      '/api/sources/{id}/versions/{version}',
    );
    expect(Object.keys(doc.paths)).toEqual([
      '/api/widgets',
      '/api/widgets/{id}',
      '/api/widgets/docs',
    ]);
  });

  it('defines named schemas once and refers to them; unnamed ones stay inline', () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual(['ApiError', 'Widget']);
    expect(doc.components.schemas.Widget).toMatchObject({
      type: 'object',
      properties: { id: { type: 'string' }, size: { type: 'number', default: 1 } },
      required: ['id'],
    });
    const list = doc.paths['/api/widgets']?.get;
    expect(list?.responses['200']?.content?.['application/json'].schema).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Widget' } } },
      required: ['items'],
    });
    const put = doc.paths['/api/widgets/{id}']?.put;
    expect(put?.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Widget',
    });
    expect(put?.responses['200']?.headers?.ETag?.description).toBe('Version.');
  });

  it('describes parameters, access and the standard error responses', () => {
    const list = doc.paths['/api/widgets']?.get;
    expect(list?.parameters).toEqual([
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'How many.',
        schema: { type: 'string' },
      },
    ]);
    expect(Object.keys(list?.responses ?? {})).toEqual(['200', '400', '401', '403']);
    expect(list?.security).toEqual([{ apiKey: [] }]);
    const put = doc.paths['/api/widgets/{id}']?.put;
    expect(put?.parameters?.[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(put?.['x-flint-access']).toBe('editor');
    expect(put?.description).toContain('`editor`');
    const page = doc.paths['/api/widgets/docs']?.get;
    expect(page?.security).toEqual([]);
    expect(Object.keys(page?.responses ?? {})).toEqual(['200']);
    expect(
      new Set(
        Object.values(doc.paths)
          .flatMap((p) => Object.values(p))
          .map((o) => o.operationId),
      ).size,
    ).toBe(3);
  });

  it('refuses a route listed twice', () => {
    expect(() =>
      buildOpenApiDocument([routes[0] as ApiRoute, routes[0] as ApiRoute], { version: '1' }),
    ).toThrow('the route table lists GET /api/widgets twice');
  });
});
