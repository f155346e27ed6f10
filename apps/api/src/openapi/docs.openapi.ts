import { z } from 'zod';
import { type ApiRoute, errorResponse } from './api-route';
import { DOCS_ASSET_NAMES } from './docs-page';

export const docsRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs',
    tag: 'Documentation',
    access: 'public',
    summary: 'The interactive API reference',
    description:
      'Swagger UI over this document, served by the api itself: examples built from the schemas, and "Try it out" with a key given under "Authorize".',
    responses: { 200: { description: 'An HTML page (text/html).' } },
  },
  {
    method: 'GET',
    path: '/api/docs/assets/:file',
    tag: 'Documentation',
    access: 'public',
    summary: "The reference page's scripts and styles",
    params: z.object({ file: z.enum(DOCS_ASSET_NAMES) }),
    responses: {
      200: { description: 'The file (CSS, JavaScript or PNG).' },
      404: errorResponse('No such asset.'),
    },
  },
  {
    method: 'GET',
    path: '/api/docs/openapi.json',
    tag: 'Documentation',
    access: 'public',
    summary: 'The OpenAPI 3.1 document',
    responses: {
      200: {
        description: 'The OpenAPI document.',
        schema: z.object({ openapi: z.string() }).loose(),
      },
    },
  },
];
