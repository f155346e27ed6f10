import { z } from 'zod';
import type { ApiRoute } from './api-route';

export const docsRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs',
    tag: 'Documentation',
    access: 'public',
    summary: 'This document as a readable HTML page',
    responses: { 200: { description: 'An HTML page (text/html).' } },
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
