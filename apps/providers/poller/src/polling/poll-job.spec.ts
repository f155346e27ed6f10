import type { Log } from '@flint/common';
import {
  asHttpPollerConfig,
  DEFAULT_POLLER_EVENT_TYPE,
  PollerConfigSchema,
} from '@flint/contracts';
import type { EmitInput } from '@flint/provider-sdk';
import { HttpPollPages } from '../http/http-poll-pages';
import { ItemExpression } from '../http/item-expression';
import type { Conditional, FetchResult, PollFetcher } from '../http/poll-fetcher';
import { PollJob } from './poll-job';
import type { PollRequest } from '../http/poll-request';
import type { PollerState, PollerStateStore } from './poller-state';

class MemoryState implements PollerStateStore {
  saved: PollerState | undefined;
  failNextSave = false;

  async load(): Promise<PollerState | undefined> {
    return this.saved && structuredClone(this.saved);
  }

  async save(_sourceId: string, state: PollerState): Promise<void> {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('database went away');
    }
    this.saved = structuredClone(state);
  }
}

/** An API of numbered items answering with pages of `pageSize`, like many real ones. */
class FakeApi {
  items: Array<{ id: number; updated: number }> = [];
  requests: Array<{ url: URL; conditional?: Conditional }> = [];
  etag: string | undefined;

  constructor(
    count: number,
    readonly pageSize = 10,
  ) {
    this.add(count);
  }

  add(count: number): void {
    const start = this.items.length;
    for (let i = 1; i <= count; i++) this.items.push({ id: start + i, updated: (start + i) * 10 });
  }

  readonly fetch: PollFetcher = async (request: PollRequest, conditional) => {
    const url = new URL(request.url);
    this.requests.push({ url, conditional });
    if (this.etag && conditional?.etag === this.etag) return { notModified: true };
    const since = Number(url.searchParams.get('since') ?? 0);
    const offset = Number(url.searchParams.get('page') ?? 0);
    const matching = this.items.filter((item) => item.updated > since);
    const page = matching.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < matching.length ? String(offset + this.pageSize) : null;
    const result: FetchResult = {
      notModified: false,
      body: { data: page, next },
      validators: this.etag ? { etag: this.etag } : {},
    };
    return result;
  };
}

const log: Log = () => undefined;

async function job(
  api: FakeApi,
  state: MemoryState,
  emitted: EmitInput[],
  cursor: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
) {
  const config = asHttpPollerConfig(
    PollerConfigSchema.parse({
      url: 'https://api.example.com/items',
      intervalSeconds: 60,
      itemsPath: '$.data',
      itemKey: 'item.id',
      ...(cursor ? { cursor } : {}),
      ...extra,
    }),
  );
  const pages = new HttpPollPages({
    config,
    itemKey: await ItemExpression.compile(config.itemKey, 'itemKey'),
    cursorField:
      config.cursor?.from === 'max-field'
        ? await ItemExpression.compile(config.cursor.field, 'cursor.field')
        : undefined,
    fetch: api.fetch,
    headers: async () => ({}),
  });
  return new PollJob({
    sourceId: 'items',
    pages,
    eventType: config.eventType ?? DEFAULT_POLLER_EVENT_TYPE,
    state,
    emit: async (events) => {
      emitted.push(...events);
    },
    log,
  });
}

const signal = new AbortController().signal;
const ids = (events: EmitInput[]) => events.map((event) => event.id);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('PollJob', () => {
  const tokenCursor = { from: 'next-page-token', path: '$.next', param: 'page' };
  const maxCursor = { from: 'max-field', field: 'item.updated', param: 'since' };

  it('follows next-page tokens until caught up, emitting each item once', async () => {
    const api = new FakeApi(25);
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    const outcome = await (await job(api, state, emitted, tokenCursor)).poll(signal);
    expect(outcome).toEqual({ pages: 3, emitted: 25, notModified: false });
    expect(ids(emitted)).toEqual(range(1, 25));
    expect(api.requests.map((r) => r.url.searchParams.get('page'))).toEqual([null, '10', '20']);
    expect(state.saved?.cursor).toBe('20');
    expect(emitted[0]).toEqual({
      id: '1',
      type: 'flint.poller.item',
      subject: '1',
      data: { id: 1, updated: 10 },
    });
  });

  it('advances a max-field cursor page by page and sends it', async () => {
    const api = new FakeApi(25);
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    await (await job(api, state, emitted, maxCursor)).poll(signal);
    expect(ids(emitted)).toEqual(range(1, 25));
    expect(api.requests.map((r) => r.url.searchParams.get('since'))).toEqual([
      null,
      '100',
      '200',
      '250',
    ]);
    expect(state.saved?.cursor).toBe(250);

    api.add(3);
    await (await job(api, state, emitted, maxCursor)).poll(signal);
    expect(ids(emitted)).toEqual(range(1, 28));
  });

  it('starts a max-field cursor from its initial value', async () => {
    const api = new FakeApi(5);
    const emitted: EmitInput[] = [];
    await (await job(api, new MemoryState(), emitted, { ...maxCursor, initial: 30 })).poll(signal);
    expect(ids(emitted)).toEqual(['4', '5']);
  });

  it('never emits an item twice across polls and restarts', async () => {
    const api = new FakeApi(5);
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    // Without a cursor every poll returns the whole list; the remembered keys filter it.
    await (await job(api, state, emitted, undefined)).poll(signal);
    await (await job(api, state, emitted, undefined)).poll(signal);
    api.add(2);
    await (await job(api, state, emitted, undefined)).poll(signal);
    expect(ids(emitted)).toEqual(range(1, 7));
  });

  it('sends the ETag back and stops at 304 Not Modified', async () => {
    const api = new FakeApi(3);
    api.etag = '"v1"';
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    await (await job(api, state, emitted, undefined)).poll(signal);
    const second = await (await job(api, state, emitted, undefined)).poll(signal);
    expect(second).toEqual({ pages: 1, emitted: 0, notModified: true });
    expect(api.requests.map((r) => r.conditional)).toEqual([
      undefined,
      expect.objectContaining({ etag: '"v1"' }),
    ]);
  });

  it('emits again, with the same ids, what a crash before the cursor save left unsaved', async () => {
    const api = new FakeApi(15);
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    await (await job(api, state, emitted, tokenCursor)).poll(signal);
    api.add(10);
    state.failNextSave = true;
    await expect((await job(api, state, emitted, tokenCursor)).poll(signal)).rejects.toThrow(
      'database went away',
    );
    await (await job(api, state, emitted, tokenCursor)).poll(signal);
    const all = ids(emitted);
    expect(new Set(all)).toEqual(new Set(range(1, 25)));
    // Items 16-20 were emitted before the failed save and again after it: duplicates, never gaps.
    expect(all.filter((id) => id === '16')).toHaveLength(2);
  });

  it('starts the cursor afresh when the URL changes but keeps the remembered keys', async () => {
    const api = new FakeApi(5);
    const state = new MemoryState();
    const emitted: EmitInput[] = [];
    await (await job(api, state, emitted, maxCursor)).poll(signal);
    const before = api.requests.length;
    await (
      await job(api, state, emitted, maxCursor, { url: 'https://api.example.com/v2/items' })
    ).poll(signal);
    expect(api.requests[before].url.searchParams.get('since')).toBeNull();
    expect(ids(emitted)).toEqual(range(1, 5));
  });

  it('fails clearly on an item without a usable key', async () => {
    const api = new FakeApi(0);
    api.items.push({ id: undefined as unknown as number, updated: 1 });
    await expect((await job(api, new MemoryState(), [], undefined)).poll(signal)).rejects.toThrow(
      '"item.id" failed on an item: No such key: id',
    );
  });
});
