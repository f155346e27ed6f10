import { backoffDelay, keepTrying } from './backoff';
import type { Log } from './log';
import { ManualClock } from './testing/manual-clock';

describe('backoffDelay', () => {
  const backoff = { initialMs: 100, maxMs: 1000 };

  it('doubles from the initial delay up to the cap', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, backoff, noJitter))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('takes at most a fifth off at random', () => {
    expect(backoffDelay(3, backoff, () => 0.999)).toBe(320);
  });
});

describe('keepTrying', () => {
  const settle = () => new Promise(setImmediate);

  it('tries again after each failure, logging it and cleaning up, until an attempt succeeds', async () => {
    const clock = new ManualClock(0);
    const entries: string[] = [];
    const log: Log = (level, message, fields) =>
      entries.push(`${level} ${message} ${fields?.error}`);
    let attempts = 0;
    let cleanUps = 0;
    const done = keepTrying(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error(`broker down (${attempts})`);
      },
      {
        signal: new AbortController().signal,
        backoff: { initialMs: 1000, maxMs: 1000 },
        doing: 'connect',
        log,
        cleanUp: async () => {
          cleanUps++;
        },
        clock,
      },
    );
    await settle();
    expect(attempts).toBe(1);
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    expect(await done).toBe(true);
    expect(attempts).toBe(3);
    expect(cleanUps).toBe(2);
    expect(entries[0]).toMatch(
      /^warn could not connect; trying again in \d+ ms broker down \(1\)$/,
    );
  });

  it('gives up at once when stopped during the wait', async () => {
    const stop = new AbortController();
    const done = keepTrying(
      async () => {
        throw new Error('down');
      },
      {
        signal: stop.signal,
        backoff: { initialMs: 60_000, maxMs: 60_000 },
        doing: 'connect',
        log: () => undefined,
        clock: new ManualClock(0),
      },
    );
    await settle();
    stop.abort();
    expect(await done).toBe(false);
  });
});
