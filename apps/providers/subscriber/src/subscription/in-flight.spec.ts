import { InFlight } from './in-flight';

function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('InFlight', () => {
  it('runs up to its limit at once and makes the next add wait for a free place', async () => {
    const inFlight = new InFlight(2);
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    for (const index of [0, 1]) {
      await inFlight.add(async () => {
        started.push(index);
        await gates[index].promise;
      });
    }
    let thirdAdded = false;
    const third = inFlight
      .add(async () => {
        started.push(2);
        await gates[2].promise;
      })
      .then(() => (thirdAdded = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(thirdAdded).toBe(false);
    gates[0].open();
    await third;
    expect(started).toEqual([0, 1, 2]);
    gates[1].open();
    gates[2].open();
    await inFlight.drain();
  });

  it('rethrows the first failure from the next add and from drain', async () => {
    const inFlight = new InFlight(4);
    const failing = gate();
    await inFlight.add(() => failing.promise);
    failing.fail(new Error('Kafka refused'));
    await expect(inFlight.drain()).rejects.toThrow('Kafka refused');
    await expect(inFlight.add(async () => undefined)).rejects.toThrow('Kafka refused');
  });
});
