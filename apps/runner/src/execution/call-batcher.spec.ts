import { CallBatcher } from './call-batcher';

interface Item {
  id: string;
  n: number;
}

/** A batch call whose batches are recorded and finish only when the test says so. */
function controlledCall() {
  const batches: {
    items: Item[];
    finish(results: (number | Error)[]): void;
    fail(err: Error): void;
  }[] = [];
  const call = (items: Item[]) =>
    new Promise<(number | Error)[]>((resolve, reject) => {
      batches.push({ items, finish: resolve, fail: reject });
    });
  return { batches, call };
}

const item = (id: string, n = 0): Item => ({ id, n });
const flush = () => new Promise((resolve) => setImmediate(resolve));

function outcomes<T>(promises: Promise<T>[]) {
  const seen: ({ value: T } | { error: unknown } | 'pending')[] = promises.map(() => 'pending');
  promises.forEach((promise, index) =>
    promise.then(
      (value) => (seen[index] = { value }),
      (error: unknown) => (seen[index] = { error }),
    ),
  );
  return seen;
}

describe('CallBatcher', () => {
  it('sends the first call at once and gathers calls made meanwhile into the next batch', async () => {
    const { batches, call } = controlledCall();
    const batcher = new CallBatcher(call, { maxBatch: 10, keyOf: (i: Item) => i.id });
    const first = outcomes([batcher.call(item('a', 1))]);
    await flush();
    expect(batches.map((b) => b.items.map((i) => i.id))).toEqual([['a']]);

    const later = outcomes([batcher.call(item('b', 2)), batcher.call(item('c', 3))]);
    await flush();
    expect(batches).toHaveLength(1);

    batches[0].finish([10]);
    await flush();
    expect(first).toEqual([{ value: 10 }]);
    expect(later).toEqual(['pending', 'pending']);
    expect(batches[1].items.map((i) => i.id)).toEqual(['b', 'c']);

    batches[1].finish([20, 30]);
    await flush();
    expect(later).toEqual([{ value: 20 }, { value: 30 }]);
  });

  it('resolves each caller with its own result and rejects only the callers whose item failed', async () => {
    const { batches, call } = controlledCall();
    const batcher = new CallBatcher(call, { maxBatch: 10, keyOf: (i: Item) => i.id });
    const blocker = outcomes([batcher.call(item('x'))]);
    await flush();
    const seen = outcomes(['a', 'b', 'c'].map((id) => batcher.call(item(id))));
    batches[0].finish([0]);
    await flush();
    const lost = new Error('lease lost for b');
    batches[1].finish([1, lost, 3]);
    await flush();
    expect(blocker).toEqual([{ value: 0 }]);
    expect(seen).toEqual([{ value: 1 }, { error: lost }, { value: 3 }]);
  });

  it('rejects exactly the callers of a failed batch and carries on with the next', async () => {
    const { batches, call } = controlledCall();
    const batcher = new CallBatcher(call, { maxBatch: 10, keyOf: (i: Item) => i.id });
    const first = outcomes([batcher.call(item('a'))]);
    await flush();
    const second = outcomes([batcher.call(item('b')), batcher.call(item('c'))]);
    const down = new Error('database down');
    batches[0].fail(down);
    await flush();
    expect(first).toEqual([{ error: down }]);
    expect(second).toEqual(['pending', 'pending']);
    batches[1].finish([2, 3]);
    await flush();
    expect(second).toEqual([{ value: 2 }, { value: 3 }]);
  });

  it('rejects every caller of a batch that answers with the wrong number of results', async () => {
    const { batches, call } = controlledCall();
    const batcher = new CallBatcher(call, { maxBatch: 10, keyOf: (i: Item) => i.id });
    const seen = outcomes([batcher.call(item('a'))]);
    await flush();
    batches[0].finish([]);
    await flush();
    expect(seen[0]).toEqual({ error: new Error('a batch of 1 calls returned 0 results') });
  });

  it('keeps batches within maxBatch and never puts one key twice in a batch, in call order', async () => {
    const { batches, call } = controlledCall();
    const batcher = new CallBatcher(call, { maxBatch: 3, keyOf: (i: Item) => i.id });
    const blocker = batcher.call(item('x'));
    await flush();
    const ids = ['a', 'b', 'a', 'c', 'd', 'e'];
    const seen = outcomes(ids.map((id, n) => batcher.call(item(id, n))));
    batches[0].finish([0]);
    await blocker;
    await flush();
    expect(batches[1].items).toEqual([item('a', 0), item('b', 1), item('c', 3)]);
    batches[1].finish([10, 11, 13]);
    await flush();
    expect(batches[2].items).toEqual([item('a', 2), item('d', 4), item('e', 5)]);
    batches[2].finish([12, 14, 15]);
    await flush();
    expect(seen).toEqual([10, 11, 12, 13, 14, 15].map((value) => ({ value })));
  });

  it('refuses a maxBatch that could not hold a call', () => {
    const { call } = controlledCall();
    expect(() => new CallBatcher(call, { maxBatch: 0, keyOf: (i: Item) => i.id })).toThrow(
      /maxBatch/,
    );
  });
});
