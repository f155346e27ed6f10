import { Lease, type Store } from '@flint/store';
import { waitFor } from '../../../support/kafka';
import { type OpenedStore, describeEachStore, emptyTables } from '../../../support/store-backends';

describeEachStore('leases', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => opened.dispose());

  const holderOf = async (name: string) =>
    (await store.query<{ holder: string }>('SELECT holder FROM leases WHERE name = $1', [name]))[0]
      ?.holder;

  describe('Lease', () => {
    it('has one holder at a time, renews for its holder only and is free once released', async () => {
      const a = new Lease(store, 'poller:orders', 'replica-a', { ttlMs: 60_000 });
      const b = new Lease(store, 'poller:orders', 'replica-b', { ttlMs: 60_000 });
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      expect(await a.tryAcquire()).toBe(true);
      expect(await a.renew()).toBe(true);
      expect(await b.renew()).toBe(false);
      expect(await holderOf('poller:orders')).toBe('replica-a');

      await b.release();
      expect(await holderOf('poller:orders')).toBe('replica-a');
      await a.release();
      expect(await holderOf('poller:orders')).toBeUndefined();
      expect(await b.tryAcquire()).toBe(true);
      expect(await holderOf('poller:orders')).toBe('replica-b');
    });

    it('is taken over once its holder stops renewing and it expires', async () => {
      const dead = new Lease(store, 'file:/in', 'dead-replica', { ttlMs: 300 });
      const alive = new Lease(store, 'file:/in', 'alive-replica', { ttlMs: 60_000 });
      expect(await dead.tryAcquire()).toBe(true);
      expect(await alive.tryAcquire()).toBe(false);
      await waitFor(() => alive.tryAcquire(), {
        description: 'the expired lease to be taken over',
      });
      expect(await holderOf('file:/in')).toBe('alive-replica');
      expect(await dead.renew()).toBe(false);
    });

    it('keeps different names independent', async () => {
      expect(await new Lease(store, 'cron:a', 'r1').tryAcquire()).toBe(true);
      expect(await new Lease(store, 'cron:b', 'r2').tryAcquire()).toBe(true);
    });
  });
});
