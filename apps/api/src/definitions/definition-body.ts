import type { Definition } from '@flint/contracts';

export type JsonObject = { [key: string]: unknown };

/**
 * What the store keeps of a definition: all of it as JSON except `version` and `updatedAt`, which the
 * store assigns. Properties that are `undefined` disappear exactly as they would in a jsonb column,
 * so a body read back compares equal to the one written.
 */
export function definitionBody(definition: Definition): JsonObject {
  const { version: _version, ...rest } = JSON.parse(JSON.stringify(definition)) as JsonObject;
  delete rest.updatedAt;
  return rest;
}

/** Whether two JSON values are equal regardless of object key order (jsonb does not keep it). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as JsonObject).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : inner,
  );
}
