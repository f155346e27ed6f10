/** A value `match` and input mappings take as is: text, a number, true, false or null. */
export type Scalar = string | number | boolean | null;

const JSON_LITERAL = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null|"(?:[^"\\]|\\.)*")$/;

/**
 * What a person types for a value: `main` is the text main, `42` the number, `true` and `null`
 * themselves, and `"42"` (quoted) the text 42. `formatScalar` writes a value so that this reads it
 * back as the same value.
 */
export function parseScalar(text: string): Scalar {
  return JSON_LITERAL.test(text) ? (JSON.parse(text) as Scalar) : text;
}

export function formatScalar(value: Scalar): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return JSON_LITERAL.test(value) || value === '' || value.trim() !== value
    ? JSON.stringify(value)
    : value;
}

/** A whole number typed into a field: the number, or the text itself so validation names it. */
export function parseInteger(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Like `parseInteger`, for any number. */
export function parseNumber(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

export function formatNumber(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
