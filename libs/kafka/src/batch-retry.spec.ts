import { waitWithHeartbeat } from './batch-retry';

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
