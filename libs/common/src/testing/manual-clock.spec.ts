import { systemClock } from '../clock';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('wakes sleepers in time order only when time reaches them', async () => {
    const clock = new ManualClock('2026-03-29T00:59:00Z');
    const woke: string[] = [];
    void clock.sleep(2000).then(() => woke.push('2s'));
    void clock.sleep(1000).then(() => woke.push('1s'));
    expect(clock.pendingSleeps).toBe(2);
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toEqual([]);
    clock.advance(1001);
    await new Promise(setImmediate);
    expect(woke).toEqual(['1s', '2s']);
    expect(new Date(clock.now()).toISOString()).toBe('2026-03-29T00:59:02.000Z');
    expect(clock.pendingSleeps).toBe(0);
  });

  it('ends a sleep early when its signal is aborted, and never goes backwards', async () => {
    const clock = new ManualClock(0);
    const stop = new AbortController();
    const sleeping = clock.sleep(60_000, stop.signal);
    stop.abort();
    await sleeping;
    expect(clock.pendingSleeps).toBe(0);
    expect(() => clock.set(-1)).toThrow('ManualClock cannot go backwards');
  });
});

describe('systemClock', () => {
  it('resolves a sleep at once when aborted', async () => {
    const stop = new AbortController();
    const startedAt = Date.now();
    const sleeping = systemClock.sleep(60_000, stop.signal);
    stop.abort();
    await sleeping;
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});

describe('ManualClock timers', () => {
  it("fires due timers in time order, with now() at each one's time, and skips cleared ones", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 200);
    const cleared = clock.setTimer(() => fired.push('cleared'), 150);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 100);
    clock.clearTimer(cleared);
    expect(clock.pendingTimers).toBe(2);
    clock.advance(250);
    expect(fired).toEqual(['a@100', 'b@200']);
    expect(clock.now()).toBe(250);
    expect(clock.pendingTimers).toBe(0);
  });
});
