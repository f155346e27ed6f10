import { backoffDelay, waitWithHeartbeat } from './backoff';

describe('backoffDelay', () => {
  const policy = { attempts: 10, initialMs: 100, maxMs: 1000 };

  it('doubles from the initial delay up to the cap', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, noJitter))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('takes at most a fifth off at random', () => {
    expect(backoffDelay(3, policy, () => 0.999)).toBe(320);
  });
});

describe('waitWithHeartbeat', () => {
  afterEach(() => jest.useRealTimers());

  it('heartbeats at the given interval while it waits', async () => {
    jest.useFakeTimers();
    let beats = 0;
    const waiting = waitWithHeartbeat(
      60,
      async () => {
        beats++;
      },
      () => false,
      20,
    );
    await jest.advanceTimersByTimeAsync(60);
    await waiting;
    expect(beats).toBe(3);
  });

  it('returns early when told to stop', async () => {
    let stop = false;
    const started = Date.now();
    await waitWithHeartbeat(
      60_000,
      async () => {
        stop = true;
      },
      () => stop,
      10,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
