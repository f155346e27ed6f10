import type { DecisionOutcome } from '@flint/contracts';
import { type DecisionTone, outcomeLabel } from './decisions';
import { isoToLocal } from './format';

/** The ranges a backtest offers at a click, ending now. */
export const BACKTEST_PRESETS = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last day', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;

export interface DecisionCount {
  outcome: DecisionOutcome;
  label: string;
  tone: DecisionTone;
  count: number;
}

/** A backtest's decisions per outcome: the most frequent first, ties in the outcome's own order. */
export function decisionCounts(
  decisions: Partial<Record<DecisionOutcome, number>>,
): DecisionCount[] {
  return (Object.entries(decisions) as Array<[DecisionOutcome, number]>)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => ({ outcome, count, ...outcomeLabel(outcome) }))
    .sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome));
}

/** The `datetime-local` values of the `ms` before `now`; the end rounded up to the next minute, so "now" is in. */
export function lastRange(ms: number, now: number = Date.now()): { from: string; to: string } {
  const to = Math.ceil((now + 1) / 60_000) * 60_000;
  return {
    from: isoToLocal(new Date(to - ms).toISOString()),
    to: isoToLocal(new Date(to).toISOString()),
  };
}
