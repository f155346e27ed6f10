import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataDirLockedError,
  openStore,
  PgliteStore,
  storeConfigFromEnv,
  storeHealthCheck,
  type Store,
} from '@flint/store';

describe('PgliteStore', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flint-pglite-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('serializing work on its single connection', () => {
    let store: Store;

    beforeAll(async () => {
      store = await PgliteStore.open();
      await store.query('CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)');
    });
    afterAll(() => store.close());

    it('loses no update when many transactions read, wait and write at once', async () => {
      await store.query('INSERT INTO counter VALUES (1, 0)');
      const transactions = 50;
      await Promise.all(
        Array.from({ length: transactions }, () =>
          store.transaction(async (tx) => {
            const [row] = await tx.query<{ value: number }>(
              'SELECT value FROM counter WHERE id = 1',
            );
            // Yield to the event loop so other transactions would run now if they could.
            await new Promise((resolve) => setImmediate(resolve));
            await tx.query('UPDATE counter SET value = $1 WHERE id = 1', [(row?.value ?? 0) + 1]);
          }),
        ),
      );
      expect(await store.query('SELECT value FROM counter WHERE id = 1')).toEqual([
        { value: transactions },
      ]);
    });

    it('never interleaves a plain query into an open transaction', async () => {
      await store.query('INSERT INTO counter VALUES (2, 0)');
      const seenByQuery: number[] = [];
      const transaction = store.transaction(async (tx) => {
        await tx.query('UPDATE counter SET value = 1 WHERE id = 2');
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('changed my mind');
      });
      const read = store
        .query<{ value: number }>('SELECT value FROM counter WHERE id = 2')
        .then((rows) => seenByQuery.push(...rows.map((row) => row.value)));
      await expect(transaction).rejects.toThrow('changed my mind');
      await read;
      expect(seenByQuery).toEqual([0]);
    });

    it('rolls back a failed transaction and keeps serving', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.query('INSERT INTO counter VALUES (3, 1)');
          await tx.query('INSERT INTO counter VALUES (3, 2)');
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await store.query('SELECT * FROM counter WHERE id = 3')).toEqual([]);
    });

    it('refuses, instead of deadlocking, a store call made inside its own transaction', async () => {
      await expect(
        store.transaction(async () => {
          await store.query('SELECT 1');
        }),
      ).rejects.toThrow(
        "query called on the store inside one of its transactions: use the transaction's tx handle",
      );
      await expect(store.query('SELECT 1 AS ok')).resolves.toEqual([{ ok: 1 }]);
    });

    it('refuses a transaction handle used after its transaction ended', async () => {
      let leaked: { query: Store['query'] } | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked?.query('SELECT 1')).rejects.toThrow('this transaction is already over');
    });
  });

  it('keeps its data in FLINT_DATA_DIR/pglite and lets only one instance open it', async () => {
    const config = storeConfigFromEnv({ FLINT_DATA_DIR: join(root, 'data') });
    const store = await openStore(config);
    try {
      expect(store.kind).toBe('pglite');
      expect(existsSync(join(root, 'data', 'pglite', 'PG_VERSION'))).toBe(true);
      await expect(openStore(config)).rejects.toThrow(DataDirLockedError);
      await storeHealthCheck(store).check();
    } finally {
      await store.close();
    }
    const again = await openStore(config);
    await again.close();
  });

  it('rejects work after close', async () => {
    const store = await PgliteStore.open();
    await store.close();
    await expect(store.query('SELECT 1')).rejects.toThrow('the embedded database is closed');
    await expect(storeHealthCheck(store).check()).rejects.toThrow('pglite is unreachable');
  });
});
