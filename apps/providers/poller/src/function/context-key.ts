import { createHash } from 'node:crypto';

/**
 * A fired context's dedupe key: SHA-256 of its JSON with object keys sorted, so `{a:1,b:2}` and
 * `{b:2,a:1}` are one context however the function built them.
 */
export function contextKey(context: unknown): string {
  return createHash('sha256').update(canonicalJson(context)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
