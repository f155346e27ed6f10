import { ProviderStateRepository, type Store } from '@flint/store';
import fc from 'fast-check';
import { type OpenedStore, describeEachStore, emptyTables } from '../../../support/store-backends';

describeEachStore('ProviderStateRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
  });
  beforeEach(() => emptyTables(store));
  afterAll(() => opened.dispose());

  it('keeps JSON values by source and key, apart for each kind', async () => {
    const poller = new ProviderStateRepository(store, 'poller');
    const cron = new ProviderStateRepository(store, 'cron');
    await poller.put('orders', 'state', { cursor: 41, seen: ['a'] });
    await poller.put('orders', 'state', { cursor: 42, seen: ['a', 'b'] });
    await cron.put('orders', 'state', { since: 'then' });
    expect(await poller.get('orders', 'state')).toEqual({ cursor: 42, seen: ['a', 'b'] });
    expect(await cron.get('orders', 'state')).toEqual({ since: 'then' });
    expect(await poller.get('orders', 'other')).toBeUndefined();
    expect(await poller.get('invoices', 'state')).toBeUndefined();
  });

  it('writes many keys at once, lists them, and deletes some or all of a source', async () => {
    const files = new ProviderStateRepository(store, 'file');
    const many = Array.from({ length: 2500 }, (_, i) => [`path:${i}`, { size: i }] as const);
    await files.putMany('inbox', many);
    await files.put('inbox', 'directory', { directory: '/in' });
    await files.put('outbox', 'directory', { directory: '/out' });
    const entries = await files.entries('inbox');
    expect(entries.size).toBe(2501);
    expect(entries.get('path:2499')).toEqual({ size: 2499 });

    await files.delete('inbox', ['path:0', 'path:1']);
    expect((await files.entries('inbox')).has('path:0')).toBe(false);
    await files.delete('inbox');
    expect((await files.entries('inbox')).size).toBe(0);
    expect(await files.get('outbox', 'directory')).toEqual({ directory: '/out' });
  });

  it('gives back a bare JSON string as that string, not parsed a second time', async () => {
    const poller = new ProviderStateRepository(store, 'poller');
    await poller.putMany('orders', [
      ['cursor', 'abc'],
      ['looks-like-json', '{"a":1}'],
      ['looks-like-a-number', '42'],
    ]);
    expect(await poller.get('orders', 'cursor')).toBe('abc');
    expect(await poller.get('orders', 'looks-like-json')).toBe('{"a":1}');
    expect(await poller.get('orders', 'looks-like-a-number')).toBe('42');
    expect(await poller.entries('orders')).toEqual(
      new Map([
        ['cursor', 'abc'],
        ['looks-like-json', '{"a":1}'],
        ['looks-like-a-number', '42'],
      ]),
    );
  });

  it('gives back any JSON value it stored, equal to what was put', async () => {
    const state = new ProviderStateRepository(store, 'generated');
    // jsonb holds no NUL character (PostgreSQL refuses it; Flint refuses it at the door).
    const storable = fc.jsonValue().filter((value) => !JSON.stringify(value).includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(storable, async (value) => {
        await state.put('any', 'value', value);
        expect(await state.get('any', 'value')).toEqual(JSON.parse(JSON.stringify(value)));
        expect((await state.entries('any')).get('value')).toEqual(
          JSON.parse(JSON.stringify(value)),
        );
      }),
      { numRuns: 200 },
    );
  });
});
