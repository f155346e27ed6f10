import { SqlSeenFilesStore } from '../../../../apps/providers/file-watcher/src/seen-files-store';
import { SqlPollerStateStore } from '../../../../apps/providers/poller/src/polling/poller-state';
import { describeEachStore, type OpenedStore } from '../../../support/store-backends';

describeEachStore('provider state of the file watcher and the poller', (backend) => {
  let opened: OpenedStore;

  beforeAll(async () => {
    opened = await backend.open();
  });

  afterAll(async () => {
    await opened.dispose();
  });

  it('records files in bulk, applies changes, and starts afresh for another directory', async () => {
    const store = new SqlSeenFilesStore(opened.store);
    expect(await store.load('inbox')).toEqual({ files: new Map() });

    const initial = new Map(
      Array.from({ length: 2500 }, (_, i) => [`f-${i}.txt`, { size: i, mtimeMs: 1000 + i }]),
    );
    await store.reset('inbox', '/data/in', initial);
    await store.apply(
      'inbox',
      [
        { path: 'f-1.txt', version: { size: 99, mtimeMs: 5000 } },
        { path: 'new "quoted", file.txt', version: { size: 1, mtimeMs: 6000 } },
      ],
      ['f-2.txt'],
    );
    const loaded = await store.load('inbox');
    expect(loaded.directory).toBe('/data/in');
    expect(loaded.files.size).toBe(2500);
    expect(loaded.files.get('f-1.txt')).toEqual({ size: 99, mtimeMs: 5000 });
    expect(loaded.files.get('new "quoted", file.txt')).toEqual({ size: 1, mtimeMs: 6000 });
    expect(loaded.files.has('f-2.txt')).toBe(false);
    expect(await store.load('other-source')).toEqual({ files: new Map() });

    await store.reset('inbox', '/data/elsewhere', new Map());
    expect(await store.load('inbox')).toEqual({ directory: '/data/elsewhere', files: new Map() });
  });

  it('saves and loads a poll state, replacing the previous one', async () => {
    const store = new SqlPollerStateStore(opened.store);
    expect(await store.load('orders')).toBeUndefined();
    await store.save('orders', { fingerprint: 'a', cursor: 10, seen: ['1', '2'] });
    const state = {
      fingerprint: 'a',
      cursor: '2024-05-01T00:00:00Z',
      conditional: { request: 'sig', etag: '"v1"' },
      seen: ['1', '2', '3'],
    };
    await store.save('orders', state);
    expect(await store.load('orders')).toEqual(state);
  });
});
