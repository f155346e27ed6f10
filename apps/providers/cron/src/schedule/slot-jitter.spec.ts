import { slotJitterMs } from './slot-jitter';

describe('slotJitterMs', () => {
  it('is the same for a slot on every call, below the maximum', () => {
    const slot = Date.UTC(2024, 0, 1);
    expect(slotJitterMs('nightly', slot, 30_000)).toBe(slotJitterMs('nightly', slot, 30_000));
    for (let i = 0; i < 100; i++) {
      const jitter = slotJitterMs('nightly', slot + i * 60_000, 30_000);
      expect(jitter).toBeGreaterThanOrEqual(0);
      expect(jitter).toBeLessThan(30_000);
    }
  });

  it('spreads slots and sources over the range', () => {
    const delays = new Set(
      Array.from({ length: 50 }, (_, i) => slotJitterMs(`source-${i}`, 0, 60_000)),
    );
    expect(delays.size).toBeGreaterThan(40);
  });

  it('is zero without jitter', () => {
    expect(slotJitterMs('nightly', 123, 0)).toBe(0);
  });
});
