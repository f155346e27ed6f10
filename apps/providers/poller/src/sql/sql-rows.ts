import { type CustomTypesConfig, types } from 'pg';

/** PostgreSQL type oids the poller reads its own way. */
const INT8 = 20;
const BYTEA = 17;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

const DATE_TIME = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(\+00)?$/;

/**
 * Timestamps as ISO 8601 text with all six fractional digits, `Z` for timestamptz (the session runs
 * in UTC): no precision lost, so a timestamp cursor sent back as `$1` is the exact value, and equal
 * formats order the same as text and as time. Other forms (infinity, BC) stay as PostgreSQL wrote them.
 */
function isoTimestamp(text: string): string {
  const match = DATE_TIME.exec(text);
  if (!match) return text;
  const [, date, time, fraction = '', utc] = match;
  return `${date}T${time}.${fraction.padEnd(6, '0')}${utc ? 'Z' : ''}`;
}

/** bigint as a number while it is exact, else as its digits. */
function int8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: int8,
  [BYTEA]: (text) => text,
  [DATE]: (text) => text,
  [TIMESTAMP]: isoTimestamp,
  [TIMESTAMPTZ]: isoTimestamp,
};

/**
 * How polled rows are read, so each is plain JSON: bigints as numbers (or digit strings beyond 2^53),
 * numerics as strings, dates and timestamps as ISO 8601 strings, bytea as `\x` hex text, json as JSON.
 */
export const ROW_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PARSERS[oid] ?? types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
