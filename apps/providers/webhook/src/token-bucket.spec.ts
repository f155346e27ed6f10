import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate, saying how long to wait', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(1);
    now += 499;
    expect(bucket.take()).toBe(1);
    now += 2;
    expect(bucket.take()).toBe(0);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 1]);
  });

  it('rounds a long wait up to whole seconds', () => {
    const bucket = new TokenBucket(0.1, 1, () => 0);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(10);
  });
});
