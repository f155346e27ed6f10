import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d)/g;
const DURATION_RULE =
  'must be a duration like "10s", "30m", "24h" or "1h30m" (units: ms, s, m, h, d) and longer than zero';

function durationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** Parses a duration string such as "24h", "30m", "10s", "250ms" or "1h30m" into milliseconds. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined)
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${DURATION_RULE}`);
  return ms;
}

/** A duration kept as written (so stored definitions read as the user wrote them); see parseDuration. */
export const DurationSchema = z
  .string()
  .regex(DURATION, { error: DURATION_RULE, abort: true })
  .refine((text) => durationMs(text) !== undefined, DURATION_RULE)
  .describe('A duration like "10s", "30m", "24h" or "1h30m".');
