import { TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  let now = 0;
  const limiter = () => new TokenBucketLimiter({ perSecond: 2, burst: 3 }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const limits = limiter();
    expect([1, 2, 3].map(() => limits.take('k').allowed)).toEqual([true, true, true]);
    expect(limits.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never beyond the burst', () => {
    const limits = limiter();
    for (let i = 0; i < 3; i++) limits.take('k');
    now += 500;
    expect(limits.take('k').allowed).toBe(true);
    expect(limits.take('k').allowed).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limits.take('k').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limits = limiter();
    for (let i = 0; i < 3; i++) limits.take('a');
    expect(limits.take('a').allowed).toBe(false);
    expect(limits.take('b').allowed).toBe(true);
  });

  it('rounds a long wait up to whole seconds', () => {
    const slow = new TokenBucketLimiter({ perSecond: 0.25, burst: 1 }, () => now);
    expect(slow.take('k').allowed).toBe(true);
    expect(slow.take('k')).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });
});
