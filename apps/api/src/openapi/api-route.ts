import { ApiErrorBodySchema } from '@flint/contracts';
import type { z } from 'zod';
import type { ApiRole } from '../auth/principal';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: anyone (`public`), or any key of at least this role. */
export type RouteAccess = 'public' | ApiRole;

export interface ApiRouteResponse {
  description: string;
  /** The JSON body; none for empty responses such as 204. */
  schema?: z.ZodType;
  /** Response headers by name, with what they mean. */
  headers?: Record<string, string>;
}

/**
 * One operation of the API as the OpenAPI document describes it. Schemas are the same zod schemas
 * the route validates with, so the document cannot drift from what the API accepts.
 */
export interface ApiRoute {
  method: HttpMethod;
  /** As the controller registers it, with `:name` parameters: `/api/sources/:id`. */
  path: string;
  summary: string;
  description?: string;
  /** The docs section the operation is listed under, like `Definitions`. */
  tag: string;
  access: RouteAccess;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers (lowercase names) the route reads. */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /**
   * Success and route-specific error responses. 400 (when the route takes input), 401 and 403 (when
   * it needs a key) are added by the builder.
   */
  responses: Record<number, ApiRouteResponse>;
}

const componentNames = new Map<z.ZodType, string>();

/**
 * Names a schema so the document defines it once under `components.schemas` and refers to it
 * wherever it appears, instead of repeating it. Returns the schema itself.
 */
export function component<Schema extends z.ZodType>(name: string, schema: Schema): Schema {
  const existing = componentNames.get(schema);
  if (existing !== undefined && existing !== name) {
    throw new Error(`schema is already a component named "${existing}", not "${name}"`);
  }
  componentNames.set(schema, name);
  return schema;
}

/** Names several schemas as components at once, by the keys they are given under. */
export function components<Schemas extends Record<string, z.ZodType>>(schemas: Schemas): Schemas {
  for (const [name, schema] of Object.entries(schemas)) component(name, schema);
  return schemas;
}

export function componentName(schema: z.ZodType): string | undefined {
  return componentNames.get(schema);
}

export const ApiError = component('ApiError', ApiErrorBodySchema);

/** An error response: the API's JSON error body. */
export function errorResponse(description: string): ApiRouteResponse {
  return { description, schema: ApiError };
}
