import { DeadLetterRepository, type NewDeadLetter, type Store } from '@flint/store';
import { ManualClock } from '@flint/common/testing';
import { retainedTables } from '../../../../apps/runner/src/retention/retained-tables';
import { TableRetention } from '../../../../apps/runner/src/retention/table-retention';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';

const letter = (offset: number, extra: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
  dlqPartition: 0,
  dlqOffset: String(offset),
  reason: 'invalid',
  error: `bad ${offset}`,
  sourceTopic: 'flint.events',
  sourcePartition: 1,
  sourceOffset: '9007199254740993',
  failedAt: new Date(Date.UTC(2026, 11, 6, 10, offset)),
  key: `key-${offset}`,
  value: Buffer.from([0xff, 0x00, offset]),
  headers: { ce_id: `event-${offset}` },
  ...extra,
});

/** The dead-letter index on both stores: bytes kept exactly, filters, pages, re-sends, purges. */
describeEachStore('DeadLetterRepository', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let deadLetters: DeadLetterRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    deadLetters = new DeadLetterRepository(store);
  });

  afterAll(() => opened.dispose());

  beforeEach(() => emptyTables(store));

  it('indexes each place on the topic once and keeps the bytes and headers exactly', async () => {
    await deadLetters.index([letter(1), letter(2)]);
    await deadLetters.index([letter(2), letter(3, { value: null, key: null })]);
    const page = await deadLetters.list({}, { limit: 10 });
    expect(page.items.map((item) => item.dlqOffset)).toEqual(['3', '2', '1']);
    const [third, second] = page.items;
    expect(second).toMatchObject({
      reason: 'invalid',
      error: 'bad 2',
      sourceTopic: 'flint.events',
      sourcePartition: 1,
      sourceOffset: '9007199254740993',
      failedAt: new Date(Date.UTC(2026, 11, 6, 10, 2)),
      key: 'key-2',
      headers: { ce_id: 'event-2' },
      resendCount: 0,
    });
    expect(second?.value).toEqual(Buffer.from([0xff, 0x00, 2]));
    expect(third).toMatchObject({ key: null, value: null });
    expect(await deadLetters.get(second?.id as string)).toEqual(second);
  });

  it('filters, pages newest first, and marks re-sends', async () => {
    await deadLetters.index([
      letter(1, { reason: 'undecodable' }),
      letter(2, { sourceTopic: 'mqtt', sourceId: 'sensors', origin: 'a/b' }),
      letter(3),
      letter(4),
    ]);
    const first = await deadLetters.list({ reason: 'invalid' }, { limit: 2 });
    expect(first.items.map((item) => item.dlqOffset)).toEqual(['4', '3']);
    const second = await deadLetters.list({ reason: 'invalid' }, { limit: 2, after: first.next });
    expect(second.items.map((item) => item.dlqOffset)).toEqual(['2']);
    expect(second.next).toBeUndefined();
    expect((await deadLetters.list({ sourceId: 'sensors' }, { limit: 5 })).items).toHaveLength(1);
    expect((await deadLetters.list({ sourceTopic: 'mqtt' }, { limit: 5 })).items).toHaveLength(1);
    const window = await deadLetters.list(
      {
        since: new Date(Date.UTC(2026, 11, 6, 10, 2)),
        until: new Date(Date.UTC(2026, 11, 6, 10, 4)),
      },
      { limit: 5 },
    );
    expect(window.items.map((item) => item.dlqOffset)).toEqual(['3', '2']);

    const [newest] = first.items;
    await deadLetters.markResent([newest?.id as string]);
    await deadLetters.markResent([newest?.id as string]);
    const resent = await deadLetters.list({ resent: true }, { limit: 5 });
    expect(resent.items).toHaveLength(1);
    expect(resent.items[0]).toMatchObject({ resendCount: 2, resentAt: expect.any(Date) });
    expect((await deadLetters.list({ resent: false }, { limit: 5 })).items).toHaveLength(3);
  });

  it('purges one or a selection, for good: indexing the same place again brings nothing back', async () => {
    await deadLetters.index([letter(1), letter(2), letter(3, { reason: 'too-large' })]);
    const [third] = (await deadLetters.list({}, { limit: 1 })).items;
    expect(await deadLetters.purge({ id: third?.id as string })).toBe(1);
    expect(await deadLetters.purge({ id: third?.id as string })).toBe(0);
    expect(await deadLetters.get(third?.id as string)).toBeUndefined();
    expect(await deadLetters.purge({ reason: 'invalid' })).toBe(2);
    await deadLetters.index([letter(1), letter(2), letter(3)]);
    expect((await deadLetters.list({}, { limit: 10 })).items).toEqual([]);
  });

  it('deletes dead letters past their retention with the runner, purged or not, and keeps the rest', async () => {
    const DAY = 24 * 3600 * 1000;
    const now = Date.UTC(2026, 11, 6, 12);
    const failedDaysAgo = (days: number) => new Date(now - days * DAY);
    await deadLetters.index([
      letter(1, { failedAt: failedDaysAgo(45) }),
      letter(2, { failedAt: failedDaysAgo(31) }),
      letter(3, { failedAt: failedDaysAgo(29) }),
      letter(4, { failedAt: failedDaysAgo(0) }),
    ]);
    const [oldest] = (await deadLetters.list({ until: failedDaysAgo(40) }, { limit: 1 })).items;
    expect(await deadLetters.purge({ id: oldest?.id as string })).toBe(1);
    const pruned: string[] = [];
    const retention = new TableRetention({
      tables: retainedTables(store, {
        runsMs: DAY,
        deletedSourceStateMs: DAY,
        deadLettersMs: 30 * DAY,
      }),
      clock: new ManualClock(new Date(now)),
      intervalMs: 60_000,
      batchSize: 1,
      log: () => undefined,
      onPruned: (table, count) => pruned.push(`${table}:${count}`),
    });
    expect(await retention.pruneOnce()).toEqual({ dead_letters: 2 });
    expect(pruned).toEqual(['dead_letters:2']);
    const left = await store.query<{ dlq_offset: string }>(
      'SELECT dlq_offset::text FROM dead_letters ORDER BY dlq_offset',
    );
    expect(left.map((row) => row.dlq_offset)).toEqual(['3', '4']);
    expect(await retention.pruneOnce()).toEqual({});
  });
});
