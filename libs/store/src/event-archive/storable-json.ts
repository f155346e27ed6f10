/**
 * JSON that jsonb accepts. JavaScript strings (values and keys) may hold a lone surrogate, which `JSON.stringify`
 * writes as a `\udXXX` escape and jsonb refuses; such a surrogate becomes U+FFFD, so one odd event
 * cannot fail the archiving of its whole batch. The archive stores every consumed event, so the
 * common case (no such escape in the output) costs one plain `JSON.stringify` and one scan.
 */
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Any surrogate escape, lone or in a pair written by a producer that escaped it, or a literal
  // backslash before "ud": rare, so the exact but slower pass handles them all.
  if (!SURROGATE_ESCAPE.test(json)) return json;
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'string') return item.toWellFormed();
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item);
    return entries.every(([key]) => key.isWellFormed())
      ? item
      : Object.fromEntries(entries.map(([key, field]) => [key.toWellFormed(), field]));
  });
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
