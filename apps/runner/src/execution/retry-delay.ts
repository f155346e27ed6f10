import type { RetryPolicy } from '@flint/contracts';

/** Longest wait the runner accepts from a Retry-After header (the retry policy's own ceiling). */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Delay before the attempt after attempt `attempt` (1-based): exponential from `initialMs` by
 * `multiplier`, capped at `maxMs`, with up to `jitter` of it taken off at random so runs that failed
 * together do not retry together. A Retry-After from the target wins: the runner waits exactly that.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  const { initialMs, maxMs, multiplier, jitter } = policy.backoff;
  const exponential = initialMs * multiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(maxMs, exponential);
  return Math.round(capped * (1 - jitter * random()));
}
