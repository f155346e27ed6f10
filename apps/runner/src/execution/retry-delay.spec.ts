import type { RetryPolicy } from '@flint/contracts';
import { MAX_RETRY_AFTER_MS, retryDelayMs } from './retry-delay';

const policy: RetryPolicy = {
  maxAttempts: 10,
  backoff: { initialMs: 1000, maxMs: 10_000, multiplier: 2, jitter: 0.5 },
};

describe('retryDelayMs', () => {
  it('grows exponentially from initialMs and stops at maxMs', () => {
    const noJitter = () => 0;
    expect(
      [1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, policy, undefined, noJitter)),
    ).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('takes up to the jitter fraction off at random', () => {
    expect(retryDelayMs(2, policy, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, undefined, () => 0.5)).toBe(1500);
  });

  it('waits exactly what Retry-After asked, within a day', () => {
    expect(retryDelayMs(1, policy, 30_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(1, policy, 0)).toBe(0);
    expect(retryDelayMs(1, policy, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });
});
