import { TurnBatcher } from './turn-batcher';

describe('TurnBatcher', () => {
  it('gathers the calls of one turn into one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new TurnBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((item) => item * 10);
      },
      { maxBatch: 100, keyOf: String },
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
    const batcher = new TurnBatcher<string, string>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { maxBatch: 2, keyOf: (item) => item.slice(0, 1) },
    );
    await Promise.all(['a1', 'a2', 'b1', 'c1'].map((item) => batcher.call(item)));
    expect(batches).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
    ]);
  });

  it('rejects only the callers of a batch that failed', async () => {
    const batcher = new TurnBatcher<string, string>(
      async (items) => {
        if (items.includes('bad')) throw new Error('statement failed');
        return items;
      },
      { maxBatch: 10, keyOf: () => 'same' },
    );
    const [bad, good] = await Promise.allSettled([batcher.call('bad'), batcher.call('good')]);
    expect(bad).toEqual({ status: 'rejected', reason: new Error('statement failed') });
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
  });

  it('rejects a batch call that answers with the wrong number of results', async () => {
    const batcher = new TurnBatcher<number, number>(async () => [], {
      maxBatch: 10,
      keyOf: String,
    });
    await expect(batcher.call(1)).rejects.toThrow('a batch of 1 calls returned 0 results');
  });

  it('refuses a maxBatch that is not a whole number above 0', () => {
    expect(() => new TurnBatcher(async () => [], { maxBatch: 0, keyOf: String })).toThrow(
      'maxBatch must be a whole number above 0, got 0',
    );
  });
});
