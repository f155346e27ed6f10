import { randomUUID } from 'node:crypto';
import {
  type ArchiveEntry,
  ArchiveRetention,
  EventArchiveRepository,
  type Store,
} from '@flint/store';
import { describeEachStore, emptyTables, type OpenedStore } from '../../../support/store-backends';

const DAY = 24 * 3600 * 1000;

function entry(acceptedAt: string, overrides: Partial<ArchiveEntry> = {}): ArchiveEntry {
  const eventId = overrides.eventId ?? randomUUID();
  return {
    acceptedAt: new Date(acceptedAt),
    eventId,
    owner: 'team-a',
    sourceId: 'hook',
    provider: 'webhook',
    type: 'com.example.push',
    event: { id: eventId, type: 'com.example.push', data: { ref: 'main' } },
    fromFlint: true,
    fired: [],
    decisions: [],
    decisionsOmitted: 0,
    ...overrides,
  };
}

/** The archive is partitioned by day on both stores: written per batch, read by page, dropped by day. */
describeEachStore('event archive', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let archive: EventArchiveRepository;

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
  });

  afterAll(() => opened.dispose());

  beforeEach(async () => {
    await emptyTables(store);
    archive = new EventArchiveRepository(store);
    for (const partition of await archive.partitions()) await archive.dropPartition(partition.day);
  });

  it('writes a batch in day partitions it creates, and the same batch again changes nothing', async () => {
    const batch = [
      entry('2026-12-01T10:00:00Z', {
        fired: ['deploy'],
        decisions: [{ triggerId: 'deploy', outcome: 'matched', message: 'fired', runId: 'r1' }],
      }),
      entry('2026-12-02T23:59:59.999Z', { owner: undefined, fromFlint: false }),
      entry('2026-12-03T00:00:00Z', { owner: undefined, replayOf: 'original-1' }),
    ];
    await archive.write(batch);
    // A pass that failed after archiving is consumed again: the rows are not doubled.
    await new EventArchiveRepository(store).write(batch);
    expect((await archive.partitions()).map((p) => p.name)).toEqual([
      'event_archive_p20261201',
      'event_archive_p20261202',
      'event_archive_p20261203',
    ]);
    const page = await archive.page({ limit: 10 }, false);
    expect(page.events.map((e) => e.eventId)).toEqual([...batch].reverse().map((e) => e.eventId));
    const first = await archive.get(batch[0]!.eventId);
    expect(first).toMatchObject({
      owner: 'team-a',
      fired: ['deploy'],
      decisions: [{ triggerId: 'deploy', outcome: 'matched', runId: 'r1' }],
      event: { data: { ref: 'main' } },
    });
    expect(await archive.get(batch[2]!.eventId)).toMatchObject({ replayOf: 'original-1' });
    expect(await archive.get(batch[2]!.eventId)).not.toHaveProperty('owner');
    // An owner sees its own events only; one without owner is nobody's.
    expect(await archive.get(batch[2]!.eventId, 'team-a')).toBeUndefined();
    // Whether a Flint service produced it travels to the backtest, which replays originals only.
    expect(page.events.map((e) => e.fromFlint)).toEqual([true, false, true]);
    const originals = await archive.originalEvents(
      new Date('2026-12-01T00:00:00Z'),
      new Date('2026-12-04T00:00:00Z'),
      undefined,
      10,
    );
    expect(originals.events.map((e) => [e.event.id, e.fromFlint])).toEqual([
      [batch[0]!.eventId, true],
      [batch[1]!.eventId, false],
    ]);
  });

  it('filters by owner, source, type, time, fired, and pages by a stable key', async () => {
    const events = [
      entry('2026-12-01T10:00:00Z', { fired: ['t'] }),
      entry('2026-12-01T11:00:00Z', { sourceId: 'other' }),
      entry('2026-12-01T12:00:00Z', { type: 'com.example.tag' }),
      entry('2026-12-01T13:00:00Z', { owner: 'team-b' }),
      entry('2026-12-02T01:00:00Z'),
    ];
    await archive.write(events);
    const ids = async (query: Parameters<EventArchiveRepository['page']>[0]) =>
      (await archive.page(query, false)).events.map((e) => e.eventId);
    const [e0, e1, e2, e3, e4] = events.map((e) => e.eventId);
    expect(
      await ids({ owner: 'team-a', sourceId: 'hook', type: 'com.example.push', limit: 9 }),
    ).toEqual([e4, e0]);
    expect(await ids({ fired: true, limit: 9 })).toEqual([e0]);
    expect(await ids({ fired: false, owner: 'team-b', limit: 9 })).toEqual([e3]);
    expect(
      await ids({
        since: new Date('2026-12-01T11:00:00Z'),
        until: new Date('2026-12-01T13:00:00Z'),
        limit: 9,
      }),
    ).toEqual([e2, e1]);
    const first = await archive.page({ limit: 2 }, false);
    expect(first.events.map((e) => e.eventId)).toEqual([e4, e3]);
    const second = await archive.page({ limit: 2, after: first.next! }, false);
    expect(second.events.map((e) => e.eventId)).toEqual([e2, e1]);
    const last = await archive.page({ limit: 2, after: second.next! }, false);
    expect(last.events.map((e) => e.eventId)).toEqual([e0]);
    expect(last.next).toBeUndefined();
  });

  it('finds the events that caused a run', async () => {
    const [cause, other] = [entry('2026-12-01T10:00:00Z'), entry('2026-12-01T10:00:01Z')];
    await archive.write([cause!, other!]);
    await store.query(
      `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, event_ids)
       VALUES ('run-x', 't', 1, 'team-a', 'REQUESTED', ARRAY[$1])`,
      [cause!.eventId],
    );
    const page = await archive.page({ runId: 'run-x', limit: 9 }, false);
    expect(page.events.map((e) => e.eventId)).toEqual([cause!.eventId]);
  });

  it('retention drops whole days past the longest retention, deletes rows only for shorter owners', async () => {
    await archive.write([
      entry('2026-11-20T10:00:00Z', { owner: 'keep-long' }),
      entry('2026-11-25T10:00:00Z', { owner: 'keep-long' }),
      entry('2026-11-25T11:00:00Z', { owner: 'team-a' }),
      entry('2026-11-25T12:00:00Z', { owner: 'sandbox' }),
      entry('2026-12-05T12:00:00Z', { owner: 'sandbox' }),
      entry('2026-12-05T13:00:00Z', { owner: 'team-a' }),
    ]);
    const retention = new ArchiveRetention(archive, {
      retentionMs: 7 * DAY,
      ownerRetentionMs: new Map([
        ['keep-long', 14 * DAY],
        ['sandbox', 1 * DAY],
      ]),
      maxBytes: 0,
      deleteBatchSize: 1,
    });
    const report = await retention.prune(new Date('2026-12-06T12:00:00Z'));
    expect(report.droppedDays.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-11-20']);
    // team-a (7 days) and sandbox (1 day) lose their 25 November events; keep-long keeps its own.
    expect(report.deletedEvents).toBe(2);
    const left = (await archive.page({ limit: 9 }, false)).events.map(
      (e) => `${e.owner} ${e.acceptedAt.toISOString().slice(0, 10)}`,
    );
    expect(left).toEqual(['team-a 2026-12-05', 'sandbox 2026-12-05', 'keep-long 2026-11-25']);
    // A writer that still believes in a dropped day creates it again.
    await archive.write([entry('2026-11-20T10:00:00Z')]);
    expect((await archive.partitions())[0]?.name).toBe('event_archive_p20261120');
  });

  it('keeps the archive under its size limit by dropping the oldest days, never today', async () => {
    const big = { blob: 'x'.repeat(20_000) };
    for (const day of ['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']) {
      await archive.write(
        Array.from({ length: 20 }, (_, i) =>
          entry(`${day}T10:00:${String(i).padStart(2, '0')}Z`, { event: { data: big } }),
        ),
      );
    }
    const sizes = await archive.partitions();
    const perDay = Math.max(...sizes.map((p) => p.bytes));
    const retention = new ArchiveRetention(archive, {
      retentionMs: 30 * DAY,
      ownerRetentionMs: new Map(),
      maxBytes: perDay * 2,
      deleteBatchSize: 100,
    });
    const report = await retention.prune(new Date('2026-12-06T12:00:00Z'));
    expect(report.droppedDays.length).toBeGreaterThanOrEqual(2);
    const kept = (await archive.partitions()).map((p) => p.name);
    expect(kept).toContain('event_archive_p20261206');
    expect(kept).not.toContain('event_archive_p20261203');
    // Even a limit smaller than one day keeps today.
    await new ArchiveRetention(archive, {
      retentionMs: 30 * DAY,
      ownerRetentionMs: new Map(),
      maxBytes: 1,
      deleteBatchSize: 100,
    }).prune(new Date('2026-12-06T12:00:00Z'));
    expect((await archive.partitions()).map((p) => p.name)).toEqual(['event_archive_p20261206']);
  });
});
