import type { CronMisfirePolicy } from '@flint/contracts';

/** What to do with the slots a schedule missed. */
export interface MisfirePlan {
  /** Oldest first. */
  fire: number[];
  /** Oldest first. */
  skip: number[];
}

/** Slots to fire after downtime when a `catch-up` source sets no `maxCatchUp`. */
export const DEFAULT_MAX_CATCH_UP = 100;

/** How many of the latest missed slots a policy may fire, so only those need computing. */
export function misfireLimit(policy: CronMisfirePolicy, maxCatchUp: number): number {
  if (policy === 'catch-up') return maxCatchUp;
  return 1;
}

/**
 * Splits missed slots into those to fire and those to skip: `skip` fires none, `fire-once` the
 * latest, `catch-up` the latest `maxCatchUp` (older ones are the least useful and are dropped).
 */
export function planMisfire(
  policy: CronMisfirePolicy,
  missed: readonly number[],
  maxCatchUp: number,
): MisfirePlan {
  const sorted = [...new Set(missed)].sort((a, b) => a - b);
  const fireCount =
    policy === 'skip' ? 0 : Math.min(sorted.length, misfireLimit(policy, maxCatchUp));
  const split = sorted.length - fireCount;
  return { fire: sorted.slice(split), skip: sorted.slice(0, split) };
}
