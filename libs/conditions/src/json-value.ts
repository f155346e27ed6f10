import { MAX_JSON_DEPTH } from '@flint/contracts';

/** A value that survives JSON.stringify and JSON.parse unchanged. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A CEL result that has no JSON form (bytes, a duration, a type, a number beyond JSON's range). */
export class NotJsonError extends Error {
  override readonly name = 'NotJsonError';
}

/**
 * JSON as CEL sees it. Whole numbers become CEL `int` (BigInt) so that `event.data.count + 1` works as a
 * user expects; JSON cannot tell 2 from 2.0, and CEL refuses to add an int to a double. Other numbers
 * stay `double`; CEL compares int and double across types, so `event.data.amount > 9.5` works either
 * way. Bytes pass through as CEL `bytes`. Events are refused beyond `MAX_JSON_DEPTH` when they are
 * decoded; the bound here keeps the recursion safe whatever a caller hands in.
 */
export function toCel(value: unknown, depth = 0): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  if (depth >= MAX_JSON_DEPTH) {
    throw new NotJsonError(`the value nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toCel(item, depth + 1));
  // Every event is converted once per pass: keys and indexes, no array of entries per object.
  const converted: Record<string, unknown> = {};
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (item !== undefined) converted[key] = toCel(item, depth + 1);
  }
  return converted;
}

/**
 * A CEL result as JSON: ints become numbers, timestamps ISO strings, maps objects. Anything JSON cannot
 * carry faithfully is an error naming where it is, since a run's input must be JSON.
 */
export function fromCel(value: unknown, path = ''): JsonValue {
  const where = path === '' ? 'the result' : path;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new NotJsonError(
          `${where} is the int ${value}, beyond what JSON numbers hold exactly`,
        );
      }
      return Number(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(`${where} is ${value}, which JSON lacks`);
      return value;
    case 'undefined':
      throw new NotJsonError(`${where} has no value`);
    case 'object':
      return objectFromCel(value, path, where);
    default:
      throw new NotJsonError(`${where} is a ${typeof value}, not JSON`);
  }
}

function objectFromCel(value: object | null, path: string, where: string): JsonValue {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item, index) => fromCel(item, `${path}[${index}]`));
  if (value instanceof Map) {
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of value) result[String(key)] = fromCel(item, member(path, String(key)));
    return result;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = value instanceof Uint8Array ? 'bytes' : (value.constructor?.name ?? 'object');
    throw new NotJsonError(`${where} is a CEL ${kind} value, not JSON; convert it to a string`);
  }
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) result[key] = fromCel(item, member(path, key));
  return result;
}

function member(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${path}${path ? '.' : ''}${key}`
    : `${path}[${JSON.stringify(key)}]`;
}
