import { ManualClock } from '@flint/common/testing';
import { TableRetention } from './table-retention';

const NOW = new Date('2026-12-06T12:00:00Z');

describe('TableRetention', () => {
  it('gives each table its own cut-off and deletes in batches until a batch is short', async () => {
    const calls: string[] = [];
    const left = new Map([
      ['runs', 5],
      ['dead_letters', 0],
    ]);
    const table = (name: string, retentionMs: number) => ({
      table: name,
      retentionMs,
      prune: async (before: Date, batchSize: number) => {
        calls.push(`${name}<${before.toISOString()}`);
        const deleted = Math.min(batchSize, left.get(name) ?? 0);
        left.set(name, (left.get(name) ?? 0) - deleted);
        return deleted;
      },
    });
    const retention = new TableRetention({
      tables: [table('runs', 3_600_000), table('dead_letters', 60_000)],
      clock: new ManualClock(NOW),
      intervalMs: 60_000,
      batchSize: 2,
      log: () => undefined,
    });
    expect(await retention.pruneOnce()).toEqual({ runs: 5 });
    expect(calls).toEqual([
      'runs<2026-12-06T11:00:00.000Z',
      'runs<2026-12-06T11:00:00.000Z',
      'runs<2026-12-06T11:00:00.000Z',
      'dead_letters<2026-12-06T11:59:00.000Z',
    ]);
  });

  it('prunes the other tables when one fails, counts what went, then reports the failure', async () => {
    const pruned: string[] = [];
    const retention = new TableRetention({
      tables: [
        { table: 'runs', retentionMs: 1, prune: () => Promise.reject(new Error('lock timeout')) },
        { table: 'dead_letters', retentionMs: 1, prune: async () => 1 },
      ],
      clock: new ManualClock(NOW),
      intervalMs: 60_000,
      batchSize: 10,
      log: () => undefined,
      onPruned: (name, count) => pruned.push(`${name}:${count}`),
    });
    await expect(retention.pruneOnce()).rejects.toThrow('lock timeout');
    expect(pruned).toEqual(['dead_letters:1']);
  });
});
