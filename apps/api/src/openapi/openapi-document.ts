import { z } from 'zod';
import type { ApiRoute, ApiRouteResponse } from './api-route';
import { ApiError, componentName } from './api-route';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  'x-flint-access': ApiRoute['access'];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: { 'application/json': { schema: JsonSchema } };
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

const SCHEMA_REF = '#/components/schemas/';
const SECURITY_SCHEME = 'apiKey';

/** `/api/sources/:id` → `/api/sources/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/**
 * Builds the OpenAPI 3.1 document from the route table. Schemas come from zod through
 * `z.toJSONSchema`; named components are defined once and referenced.
 *
 * Every schema is converted on its input side, responses included: the output side of a transform
 * (a trigger's inline sources getting their ids) cannot be expressed in JSON Schema, while a stored
 * definition is valid input of the same schema. Fields with defaults therefore show as optional.
 */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  info: { version: string },
): OpenApiDocument {
  assertUniqueRoutes(routes);
  const schemas = new SchemaCollector();
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    const operations = (paths[openApiPath(route.path)] ??= {});
    operations[route.method.toLowerCase()] = operation(route, schemas);
  }
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Flint API',
      version: info.version,
      description:
        'Manage Flint sources and triggers, their history, API keys and secrets. Every route needs ' +
        '`Authorization: Bearer <key>` unless marked public; every error is `{ error: { code, message, issues? } }`.',
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: {},
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key: FLINT_ADMIN_API_KEY or a key created through the API.',
        },
      },
    },
  };
  return schemas.finish(document);
}

function operation(route: ApiRoute, schemas: SchemaCollector): OpenApiOperation {
  const id = operationId(route);
  const parameters = [
    ...parametersOf(route.params, 'path'),
    ...parametersOf(route.query, 'query'),
    ...parametersOf(route.headers, 'header'),
  ];
  const roleNote =
    route.access === 'public'
      ? 'Public: no API key needed.'
      : `Needs a key with role \`${route.access}\` or above.`;
  return {
    operationId: id,
    summary: route.summary,
    description: [route.description, roleNote].filter(Boolean).join('\n\n'),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ [SECURITY_SCHEME]: [] }],
    'x-flint-access': route.access,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.use(route.body, `${id}Body`) } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(withStandardErrors(route)).map(([status, response]) => [
        status,
        openApiResponse(response, schemas, `${id}Response${status}`),
      ]),
    ),
  };
}

function withStandardErrors(route: ApiRoute): Record<number, ApiRouteResponse> {
  const responses: Record<number, ApiRouteResponse> = { ...route.responses };
  const takesInput = Boolean(route.params ?? route.query ?? route.headers ?? route.body);
  if (takesInput) {
    responses[400] ??= {
      description: 'Invalid input; `issues` lists every problem by path.',
      schema: ApiError,
    };
  }
  if (route.access !== 'public') {
    responses[401] ??= { description: 'No API key, or not a valid one.', schema: ApiError };
    responses[403] ??= {
      description: 'The key lacks the role, or the object belongs to another owner.',
      schema: ApiError,
    };
  }
  return responses;
}

function openApiResponse(
  response: ApiRouteResponse,
  schemas: SchemaCollector,
  fallbackName: string,
): OpenApiResponse {
  return {
    description: response.description,
    ...(response.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }
      : {}),
    ...(response.schema
      ? { content: { 'application/json': { schema: schemas.use(response.schema, fallbackName) } } }
      : {}),
  };
}

function parametersOf(
  schema: z.ZodObject | undefined,
  location: OpenApiParameter['in'],
): OpenApiParameter[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const json = toJsonSchema(field as z.ZodType);
    const { description, ...rest } = json;
    const optional = (field as z.ZodType).safeParse(undefined).success;
    return {
      name,
      in: location,
      required: location === 'path' || !optional,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** `GET /api/sources/:id/versions` → `getSourcesByIdVersions`. */
function operationId(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter((segment) => segment && segment !== 'api')
    .map((segment) =>
      segment.startsWith(':') ? `By${capitalize(segment.slice(1))}` : capitalize(segment),
    );
  return `${route.method.toLowerCase()}${words.join('').replace(/[^A-Za-z0-9]/g, '')}`;
}

function capitalize(text: string): string {
  return text
    .split(/[-_.]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function assertUniqueRoutes(routes: readonly ApiRoute[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`the route table lists ${key} twice`);
    seen.add(key);
  }
}

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/**
 * Gathers every body and response schema and converts them together, so a named component used in
 * several places is defined once. Unnamed schemas get a temporary component name and are put back
 * inline where they are used.
 */
class SchemaCollector {
  private readonly registry = z.registry<{ id: string }>();
  private readonly unnamed = new Map<z.ZodType, string>();
  private readonly placeholders: Array<{ target: JsonSchema; id: string }> = [];

  /** A placeholder for the schema, filled in by `finish`. */
  use(schema: z.ZodType, fallbackName: string): JsonSchema {
    const name = componentName(schema);
    let id = name ?? this.unnamed.get(schema);
    if (id === undefined) {
      id = fallbackName;
      this.unnamed.set(schema, id);
    }
    if (!this.registry.has(schema)) this.registry.add(schema, { id });
    const target: JsonSchema = {};
    this.placeholders.push({ target, id });
    return target;
  }

  finish(document: OpenApiDocument): OpenApiDocument {
    const { schemas } = z.toJSONSchema(this.registry, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
      uri: (id) => `${SCHEMA_REF}${id}`,
    }) as { schemas: Record<string, JsonSchema> };
    const clean = Object.fromEntries(
      Object.entries(schemas).map(([id, schema]) => {
        const { $schema: _schema, $id: _id, ...rest } = schema;
        return [id, rest];
      }),
    );
    // An unnamed schema that also appears inside another one is referenced there, so it stays a component.
    const referenced = new Set(
      [...JSON.stringify(clean).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
        (match) => match[1],
      ),
    );
    const inlined = new Set([...this.unnamed.values()].filter((id) => !referenced.has(id)));
    for (const { target, id } of this.placeholders) {
      Object.assign(
        target,
        inlined.has(id) ? structuredClone(clean[id]) : { $ref: `${SCHEMA_REF}${id}` },
      );
    }
    for (const [id, schema] of Object.entries(clean)) {
      if (!inlined.has(id)) document.components.schemas[id] = schema;
    }
    return document;
  }
}
