import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs one task at a time, in the order pushed', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((name) => queue.run(task(name))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('hands a failure to its caller and keeps going', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'still running');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('still running');
  });

  it('resolves idle() only after every task pushed before it has finished', async () => {
    const queue = new SerialQueue();
    const finished: number[] = [];
    let release!: () => void;
    void queue.run(() =>
      new Promise<void>((resolve) => (release = resolve)).then(() => finished.push(1)),
    );
    void queue.run(async () => finished.push(2));
    let idle = false;
    const idled = queue.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    release();
    await idled;
    expect(finished).toEqual([1, 2]);
  });
});
