import { ManualClock } from './testing/manual-clock';
import { WakeLoop } from './wake-loop';

const settle = () => new Promise(setImmediate);

describe('WakeLoop', () => {
  function counting(clock: ManualClock, onError: (err: unknown) => void = () => undefined) {
    const turns: number[] = [];
    let fail = false;
    const loop = new WakeLoop(
      async () => {
        turns.push(clock.now());
        if (fail) throw new Error('turn failed');
      },
      { intervalMs: 1000, onError, clock },
    );
    return { loop, turns, failNext: () => (fail = true) };
  }

  it('takes a turn at start, then every interval', async () => {
    const clock = new ManualClock(0);
    const { loop, turns } = counting(clock);
    loop.start();
    await settle();
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    await settle();
    await loop.stop();
    expect(turns).toEqual([0, 1000, 2000]);
  });

  it('takes a turn at once when woken, and at a time asked for before the next interval', async () => {
    const clock = new ManualClock(0);
    const { loop, turns } = counting(clock);
    loop.start();
    await settle();
    clock.advance(100);
    loop.wake();
    await settle();
    loop.wakeAt(400);
    loop.wakeAt(5000);
    clock.advance(300);
    await settle();
    await loop.stop();
    expect(turns).toEqual([0, 100, 400]);
  });

  it('reports a failed turn and goes on at the next interval', async () => {
    const clock = new ManualClock(0);
    const errors: string[] = [];
    const { loop, turns, failNext } = counting(clock, (err) => errors.push((err as Error).message));
    failNext();
    loop.start();
    await settle();
    clock.advance(1000);
    await settle();
    await loop.stop();
    expect(turns).toEqual([0, 1000]);
    expect(errors).toEqual(['turn failed', 'turn failed']);
  });

  it('does not lose a wake that comes during a turn', async () => {
    const clock = new ManualClock(0);
    let release!: () => void;
    const turns: string[] = [];
    const loop = new WakeLoop(
      async () => {
        turns.push(`turn ${turns.length + 1}`);
        if (turns.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { intervalMs: 60_000, onError: () => undefined, clock },
    );
    loop.start();
    await settle();
    loop.wake();
    release();
    await settle();
    await loop.stop();
    expect(turns).toEqual(['turn 1', 'turn 2']);
    expect(loop.running).toBe(false);
  });
});
