import { createHash } from 'node:crypto';

/**
 * PostgreSQL text cannot hold the character U+0000 and jsonb refuses its JSON escape, yet event ids,
 * keys and payloads come from outside. These helpers make any string storable, so no event can make
 * a store write fail forever (and stall its partition).
 */

/** A fixed-length stand-in for a key of any length and content, for unique indexes. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `text` with backslashes doubled and U+0000 written as `\0`: storable, and distinct inputs stay distinct. */
export function storableText(text: string): string {
  return text.replace(/\\/g, '\\\\').replaceAll('\u0000', '\\0');
}

/** JSON text, where U+0000 is the six characters `\u0000`: storable in a text column. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value);
}

export function parseJsonText(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
