import { z } from 'zod';

/** Key names that carry a secret value; secrets are only ever referenced by name (`secretRef`). */
const INLINE_SECRET_KEYS = new Set([
  'secret',
  'token',
  'password',
  'passwd',
  'apikey',
  'accesstoken',
  'authtoken',
  'bearertoken',
  'clientsecret',
  'privatekey',
  'credential',
  'credentials',
  'signingsecret',
  'webhooksecret',
]);

export const INLINE_SECRET_MESSAGE =
  'inline secrets are not allowed: store the value as a secret and reference it by name with "secretRef"';

export function isInlineSecretKey(key: string): boolean {
  return INLINE_SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** The message for keys a strict object does not know, naming the likely typo or the allowed keys. */
export function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  return keys.map((key) => unknownKeyMessage(key, allowed)).join('; ');
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (isInlineSecretKey(key)) return INLINE_SECRET_MESSAGE;
  const suggestion = closestKey(key, allowed);
  if (suggestion) return `unknown key "${key}"; did you mean "${suggestion}"?`;
  if (allowed.length === 0) return `unknown key "${key}"`;
  return `unknown key "${key}"; allowed keys: ${allowed.join(', ')}`;
}

function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const tolerance = candidate.length <= 4 ? 1 : 2;
    if (distance <= tolerance && (!best || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

/** Edits (insert, delete, substitute, swap two neighbours) needed to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/**
 * A strict object whose unknown-key errors name the offending key and suggest the intended one, so a
 * typo in a definition file is reported instead of silently ignored.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const allowed = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
      return unknownKeysMessage(issue.keys, allowed);
    },
  });
}

/**
 * The error map of a discriminated union: a missing or unknown discriminator value is reported on the
 * discriminator's path with the list of valid values.
 */
export function discriminatorError(
  key: string,
  label: string,
  values: readonly string[],
  requiredMessage = `required; expected an object with ${key}: ${values.join(', ')}`,
): z.core.$ZodErrorMap {
  return (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return requiredMessage;
    if (issue.code !== 'invalid_union') return undefined;
    const input = issue.input;
    const value =
      typeof input === 'object' && input !== null
        ? (input as Record<string, unknown>)[key]
        : undefined;
    if (value === undefined) return `required; expected one of: ${values.join(', ')}`;
    return `unknown ${label} ${JSON.stringify(value)}; expected one of: ${values.join(', ')}`;
  };
}

/** An array refinement rejecting repeated values, which would only hide a copy-paste mistake. */
export function hasNoDuplicates(values: readonly unknown[]): boolean {
  return new Set(values).size === values.length;
}

/** An error map for a schema with one rule: "required" when the value is missing, else the rule. */
export function requiredOr(message: string): z.core.$ZodErrorMap {
  return (issue) => (issue.input === undefined ? 'required' : message);
}
