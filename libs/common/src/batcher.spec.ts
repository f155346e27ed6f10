import { type BatchFlush, Batcher } from './batcher';

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

/** A batcher of items keyed by id over a controlled call, and that call's batches. */
function controlledBatcher(flush: BatchFlush, { maxBatch = 10 } = {}) {
  const { batches, call } = controlledCall();
  return { batches, batcher: new Batcher(call, { flush, maxBatch, keyOf: (i: Item) => i.id }) };
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

describe('Batcher, one batch in flight', () => {
  it('sends the first call at once and gathers calls made meanwhile into the next batch', async () => {
    const { batches, batcher } = controlledBatcher('one-in-flight');
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
    const { batches, batcher } = controlledBatcher('one-in-flight');
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
    const { batches, batcher } = controlledBatcher('one-in-flight');
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
    const { batches, batcher } = controlledBatcher('one-in-flight');
    const seen = outcomes([batcher.call(item('a'))]);
    await flush();
    batches[0].finish([]);
    await flush();
    expect(seen[0]).toEqual({ error: new Error('a batch of 1 calls returned 0 results') });
  });

  it('keeps batches within maxBatch and never puts one key twice in a batch, in call order', async () => {
    const { batches, batcher } = controlledBatcher('one-in-flight', { maxBatch: 3 });
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
    expect(
      () => new Batcher(call, { flush: 'one-in-flight', maxBatch: 0, keyOf: (i: Item) => i.id }),
    ).toThrow(/maxBatch/);
  });
});

describe('Batcher, end of turn', () => {
  it('gathers the calls of one turn into one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((item) => item * 10);
      },
      { flush: 'end-of-turn', maxBatch: 100, keyOf: String },
    );
    const results = await Promise.all([1, 2, 3].map((item) => batcher.call(item)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    // A later turn is a batch of its own.
    expect(await batcher.call(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('never puts two calls with the same key, or more than maxBatch, in one batch', async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string, string>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { flush: 'end-of-turn', maxBatch: 2, keyOf: (item) => item.slice(0, 1) },
    );
    await Promise.all(['a1', 'a2', 'b1', 'c1'].map((item) => batcher.call(item)));
    expect(batches).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
    ]);
  });

  it('sends the batches of one turn side by side, not one after another', async () => {
    const { batches, batcher } = controlledBatcher('end-of-turn');
    const seen = outcomes([batcher.call(item('a', 1)), batcher.call(item('a', 2))]);
    await flush();
    expect(batches.map((b) => b.items)).toEqual([[item('a', 1)], [item('a', 2)]]);
    batches[1].finish([2]);
    await flush();
    expect(seen).toEqual(['pending', { value: 2 }]);
    batches[0].finish([1]);
    await flush();
    expect(seen).toEqual([{ value: 1 }, { value: 2 }]);
  });

  it('rejects only the callers of a batch that failed', async () => {
    const batcher = new Batcher<string, string>(
      async (items) => {
        if (items.includes('bad')) throw new Error('statement failed');
        return items;
      },
      { flush: 'end-of-turn', maxBatch: 10, keyOf: () => 'same' },
    );
    const [bad, good] = await Promise.allSettled([batcher.call('bad'), batcher.call('good')]);
    expect(bad).toEqual({ status: 'rejected', reason: new Error('statement failed') });
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
  });

  it('rejects a batch call that answers with the wrong number of results', async () => {
    const batcher = new Batcher<number, number>(async () => [], {
      flush: 'end-of-turn',
      maxBatch: 10,
      keyOf: String,
    });
    await expect(batcher.call(1)).rejects.toThrow('a batch of 1 calls returned 0 results');
  });

  it('refuses a maxBatch that is not a whole number above 0', () => {
    expect(
      () => new Batcher(async () => [], { flush: 'end-of-turn', maxBatch: 0, keyOf: String }),
    ).toThrow('maxBatch must be a whole number above 0, got 0');
  });
});
