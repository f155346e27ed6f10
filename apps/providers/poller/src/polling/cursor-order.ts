import type { CursorValue } from '../http/poll-request';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Orders cursor values: numbers by value, ISO dates by the instant (so offsets compare right), other
 * strings lexically. Mixed kinds cannot be compared and are an error the source's owner must fix.
 */
export function compareCursors(a: CursorValue, b: CursorValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    if (ISO_DATE.test(a) && ISO_DATE.test(b)) {
      const difference = Date.parse(a) - Date.parse(b);
      if (!Number.isNaN(difference) && difference !== 0) return difference;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new Error(`cannot compare cursor values ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
}

/** A value an expression gave as a cursor, or an error saying what it was instead. */
export function asCursorValue(value: unknown, role: string): CursorValue {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`${role} gave ${describe(value)}; it must give a string or a number`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
