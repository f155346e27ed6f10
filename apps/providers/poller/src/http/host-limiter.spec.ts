import { HostLimiter } from './host-limiter';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HostLimiter', () => {
  it('runs at most maxPerHost requests per host, in arrival order, hosts independent', async () => {
    const limiter = new HostLimiter(2);
    const signal = new AbortController().signal;
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run('api.example.com', signal, async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    const other = limiter.run('other.example.com', signal, async () => 'free');
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.active('api.example.com')).toBe(2);
    expect(await other).toBe('free');
    gates[0].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    await Promise.all(runs);
    expect(limiter.active('api.example.com')).toBe(0);
  });

  it('releases the slot when the request fails', async () => {
    const limiter = new HostLimiter(1);
    const signal = new AbortController().signal;
    await expect(
      limiter.run('h', signal, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await limiter.run('h', signal, async () => 'next')).toBe('next');
  });

  it('stops waiting when aborted', async () => {
    const limiter = new HostLimiter(1);
    const gate = deferred();
    const busy = limiter.run('h', new AbortController().signal, () => gate.promise);
    const controller = new AbortController();
    const waiting = limiter.run('h', controller.signal, async () => 'never');
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    gate.resolve();
    await busy;
    expect(limiter.active('h')).toBe(0);
  });

  it('refuses a limit below 1', () => {
    expect(() => new HostLimiter(0)).toThrow('maxPerHost must be a whole number of at least 1');
  });
});
