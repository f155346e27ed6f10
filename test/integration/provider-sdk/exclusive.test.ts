import { runExclusive } from '@flint/provider-sdk';
import type { Store } from '@flint/store';
import { waitFor } from '../../support/kafka';
import { type OpenedStore, describeEachStore, emptyTables } from '../../support/store-backends';

describeEachStore('runExclusive', (backend) => {
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

  describe('runExclusive', () => {
    it('runs the work on one holder only, and hands over when it is stopped', async () => {
      const running: string[] = [];
      const stops = new Map<string, AbortController>();
      const work = (holder: string) => {
        const stop = new AbortController();
        stops.set(holder, stop);
        return runExclusive(
          { db: store, name: 'poller:orders', holder, signal: stop.signal, ttlMs: 1500 },
          async (signal) => {
            running.push(holder);
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
            running.splice(running.indexOf(holder), 1);
          },
        );
      };
      const first = work('replica-a');
      await waitFor(() => running.length === 1, { description: 'replica-a to run' });
      const second = work('replica-b');
      expect(running).toEqual(['replica-a']);

      stops.get('replica-a')!.abort();
      await first;
      await waitFor(() => running[0] === 'replica-b', { description: 'replica-b to take over' });
      const expiry = async () =>
        Number(
          (
            await store.query<{ ms: string }>(
              'SELECT (extract(epoch FROM expires_at) * 1000)::bigint AS ms FROM leases',
            )
          )[0]?.ms,
        );
      const firstExpiry = await expiry();
      await waitFor(async () => (await expiry()) > firstExpiry, {
        description: 'replica-b to renew its lease',
      });
      expect(running).toEqual(['replica-b']);
      stops.get('replica-b')!.abort();
      await second;
      expect(await holderOf('poller:orders')).toBeUndefined();
    });

    it('aborts the work when the lease is lost and runs it again once it is back', async () => {
      const stop = new AbortController();
      let starts = 0;
      let aborts = 0;
      const done = runExclusive(
        {
          db: store,
          name: 'file:/data',
          holder: 'replica-a',
          signal: stop.signal,
          ttlMs: 1500,
          checkEveryMs: 100,
        },
        async (signal) => {
          starts++;
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          aborts++;
        },
      );
      await waitFor(() => starts === 1, { description: 'the work to start' });
      // Another replica took the lease over (as it would after a long pause of this one).
      await store.query(
        `UPDATE leases SET holder = 'replica-b', expires_at = now() + interval '1 second'`,
      );
      await waitFor(() => aborts === 1, { description: 'the work to be aborted' });
      await waitFor(() => starts === 2, { description: 'the work to start again after expiry' });
      stop.abort();
      await done;
      expect(aborts).toBe(2);
    });

    it('returns when the work returns on its own, releasing the lease', async () => {
      await runExclusive(
        { db: store, name: 'once', holder: 'replica-a', signal: new AbortController().signal },
        async () => undefined,
      );
      expect(await holderOf('once')).toBeUndefined();
    });

    it("passes the work's error on, releasing the lease", async () => {
      await expect(
        runExclusive(
          { db: store, name: 'broken', holder: 'replica-a', signal: new AbortController().signal },
          async () => {
            throw new Error('boom');
          },
        ),
      ).rejects.toThrow('boom');
      expect(await holderOf('broken')).toBeUndefined();
    });
  });
});
