import { enqueueOutbox, type OutboxRecord, OutboxRelay, type Store } from '@flint/store';
import { DefinitionRepository } from '../../../../apps/api/src/definitions/definition-repository';
import { describeIfPostgres } from '../../../support/postgres';
import { cronSource } from '../../api/definitions/sample-definitions';
import {
  describeEachStore,
  emptyTables,
  type OpenedStore,
  postgresBackend,
} from '../../../support/store-backends';

async function enqueue(
  store: Store,
  messages: Array<{ key: string; value: unknown }>,
): Promise<void> {
  await store.transaction(async (tx) => {
    for (const message of messages) await enqueueOutbox(tx, { topic: 't', ...message });
  });
}

async function unpublishedCount(store: Store): Promise<number> {
  const [row] = await store.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
  );
  return row?.count ?? -1;
}

/** Polls until `condition` holds; generous, since the machine may be busy. */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachStore('OutboxRelay', (backend) => {
  let db: OpenedStore;

  beforeAll(async () => {
    db = await backend.open();
  });
  beforeEach(() => emptyTables(db.store));
  afterAll(() => db.dispose());

  it('publishes in id order, a batch at a time, and marks what it published', async () => {
    const total = 12;
    await enqueue(
      db.store,
      Array.from({ length: total }, (_, i) => ({ key: `k${i % 2}`, value: { n: i } })),
    );
    const batches: OutboxRecord[][] = [];
    const relay = new OutboxRelay(db.store, async (records) => void batches.push(records), {
      batchSize: 5,
    });

    expect(await relay.relayOnce()).toBe(5);
    expect(await unpublishedCount(db.store)).toBe(total - 5);
    expect(await relay.relayAll()).toBe(total - 5);
    expect(await relay.relayOnce()).toBe(0);

    expect(batches.map((batch) => batch.length)).toEqual([5, 5, 2]);
    const records = batches.flat();
    expect(records.map((record) => record.value)).toEqual(
      Array.from({ length: total }, (_, n) => ({ n })),
    );
    expect(records.map((record) => record.key)).toEqual(
      Array.from({ length: total }, (_, i) => `k${i % 2}`),
    );
    expect(records[0]).toEqual({
      id: expect.any(String),
      topic: 't',
      key: 'k0',
      value: { n: 0 },
      headers: {},
      createdAt: expect.any(Date),
    });
    expect(await unpublishedCount(db.store)).toBe(0);
  });

  it('carries tombstones as null values', async () => {
    const repository = new DefinitionRepository(db.store, { triggersTopic: 'flint.triggers' });
    await repository.apply([cronSource('tick')]);
    await repository.delete('source', 'tick');
    const published: OutboxRecord[] = [];
    await new OutboxRelay(db.store, async (records) => void published.push(...records)).relayAll();
    expect(published.map((record) => [record.key, record.value === null])).toEqual([
      ['source:tick', false],
      ['source:tick', true],
    ]);
  });

  it('marks nothing when publishing fails and publishes the same records next time', async () => {
    await enqueue(db.store, [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    const failing = new OutboxRelay(db.store, async () => {
      throw new Error('broker unavailable');
    });
    await expect(failing.relayOnce()).rejects.toThrow('broker unavailable');
    expect(await unpublishedCount(db.store)).toBe(2);

    const published: OutboxRecord[] = [];
    expect(
      await new OutboxRelay(db.store, async (r) => void published.push(...r)).relayOnce(),
    ).toBe(2);
    expect(published.map((record) => record.value)).toEqual([1, 2]);
    expect(await unpublishedCount(db.store)).toBe(0);
  });

  it('relays on notify() while running, keeps going after failures, and stops cleanly', async () => {
    const published: unknown[] = [];
    const warnings: string[] = [];
    let failuresLeft = 1;
    const relay = new OutboxRelay(
      db.store,
      async (records) => {
        if (failuresLeft-- > 0) throw new Error('first attempt fails');
        published.push(...records.map((record) => record.value));
      },
      // Long enough that only notify() or the retry after a failure explain a prompt delivery.
      { intervalMs: 200, log: (_level, message) => warnings.push(message) },
    );
    relay.start();
    try {
      await enqueue(db.store, [{ key: 'a', value: 'first' }]);
      relay.notify();
      await eventually(async () => published.length === 1);
      expect(warnings).toEqual([
        expect.stringContaining('outbox relay failed, retrying in 200 ms: first attempt fails'),
      ]);

      await enqueue(db.store, [{ key: 'a', value: 'second' }]);
      relay.notify();
      await eventually(async () => published.length === 2);
    } finally {
      await relay.stop();
    }
    expect(published).toEqual(['first', 'second']);

    await enqueue(db.store, [{ key: 'a', value: 'after stop' }]);
    relay.notify();
    expect(await unpublishedCount(db.store)).toBe(1);
  });

  it('prunes published records past the retention and keeps the rest', async () => {
    await enqueue(db.store, [
      { key: 'old', value: 1 },
      { key: 'new', value: 2 },
      { key: 'unpublished', value: 3 },
    ]);
    await db.store.query(
      "UPDATE outbox SET published_at = now() - interval '2 hours' WHERE key = 'old'",
    );
    await db.store.query("UPDATE outbox SET published_at = now() WHERE key = 'new'");
    const relay = new OutboxRelay(db.store, async () => undefined, { retentionMs: 3600_000 });

    expect(await relay.pruneOnce()).toBe(1);
    expect(await db.store.query('SELECT key FROM outbox ORDER BY id')).toEqual([
      { key: 'new' },
      { key: 'unpublished' },
    ]);
  });

  it('rejects nonsensical options', () => {
    expect(() => new OutboxRelay(db.store, async () => undefined, { batchSize: 0 })).toThrow(
      'OutboxRelay option batchSize must be a positive number, got 0',
    );
    expect(() => new OutboxRelay(db.store, async () => undefined, { batchSize: 1.5 })).toThrow(
      'OutboxRelay option batchSize must be a whole number, got 1.5',
    );
  });
});

describeIfPostgres('OutboxRelay on PostgreSQL with several replicas', () => {
  let db: OpenedStore;

  beforeEach(async () => {
    db = await postgresBackend.open();
  });
  afterEach(() => db.dispose());

  it('never publishes a record twice and keeps per-key order while relays race', async () => {
    const total = 600;
    await enqueue(
      db.store,
      Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: i })),
    );
    const published: Array<{ relay: number; value: number; key: string }> = [];
    const replicas = [db.store, ...(await Promise.all([1, 2, 3].map(() => db.openReplica())))];
    const relays = replicas.map(
      (store, relay) =>
        new OutboxRelay(
          store,
          async (records) => {
            // Publishing takes a while, as it does with a real broker, so the relays overlap.
            await new Promise((resolve) => setTimeout(resolve, 2));
            for (const record of records) {
              published.push({ relay, value: record.value as number, key: record.key });
            }
          },
          { batchSize: 5 },
        ),
    );

    // Every relay tries again at once while another holds the lock, so one of them is often between
    // its statement's start and its lock when the holder commits: a read whose snapshot predates that
    // commit would publish the holder's records again.
    const deadline = Date.now() + 60_000;
    await Promise.all(
      relays.map(async (relay) => {
        while (Date.now() < deadline) {
          if ((await relay.relayOnce()) === 0 && (await unpublishedCount(db.store)) === 0) break;
        }
      }),
    );

    const values = published.map((entry) => entry.value);
    expect(new Set(values).size).toBe(values.length);
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (let k = 0; k < 7; k += 1) {
      const ofKey = published.filter((entry) => entry.key === `k${k}`).map((entry) => entry.value);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
    // The race was real: more than one replica got to publish.
    expect(new Set(published.map((entry) => entry.relay)).size).toBeGreaterThan(1);
  });
});
