import type { Queryable, Store } from '@flint/store';
import { Registry } from 'prom-client';
import { measuredStore } from './measured-store';

/** A store that answers every statement with no rows and records what it was sent. */
function recordingStore(): Store & { sent: string[] } {
  const sent: string[] = [];
  const tx: Queryable = {
    query: async <T>(sql: string) => {
      sent.push(`tx:${sql}`);
      return [] as T[];
    },
  };
  return {
    kind: 'postgres',
    sent,
    query: async <T>(sql: string) => {
      sent.push(sql);
      return [] as T[];
    },
    transaction: async (fn) => fn(tx),
    ping: async () => undefined,
    close: async () => undefined,
  };
}

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? Number.NaN;
}

describe('measuredStore', () => {
  it('counts each statement, a transaction as its statements plus BEGIN and COMMIT', async () => {
    const inner = recordingStore();
    const registry = new Registry();
    const store = measuredStore(inner, registry);
    await store.query('SELECT 1');
    await store.transaction(async (tx) => {
      await tx.query('SELECT 2');
      await tx.query('SELECT 3');
    });
    expect(inner.sent).toEqual(['SELECT 1', 'tx:SELECT 2', 'tx:SELECT 3']);
    expect(await counter(registry, 'flint_store_statements_total')).toBe(5);
    expect(await counter(registry, 'flint_store_transactions_total')).toBe(1);
  });

  it('counts a failed transaction too, and passes its error on', async () => {
    const registry = new Registry();
    const store = measuredStore(recordingStore(), registry);
    await expect(
      store.transaction(async (tx) => {
        await tx.query('SELECT 1');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await counter(registry, 'flint_store_statements_total')).toBe(3);
  });

  it('lets two services share one store and count apart', async () => {
    const inner = recordingStore();
    const first = new Registry();
    const second = new Registry();
    await measuredStore(inner, first).query('SELECT 1');
    await measuredStore(inner, second).query('SELECT 1');
    await measuredStore(inner, second).query('SELECT 1');
    expect(await counter(first, 'flint_store_statements_total')).toBe(1);
    expect(await counter(second, 'flint_store_statements_total')).toBe(2);
  });
});
