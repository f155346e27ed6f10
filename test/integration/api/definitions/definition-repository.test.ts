import type { Store } from '@flint/store';
import { DefinitionSchema } from '@flint/contracts';
import { DefinitionHistoryRepository } from '../../../../apps/api/src/definitions/definition-history';
import {
  DefinitionExistsError,
  DefinitionInUseError,
  DefinitionRepository,
} from '../../../../apps/api/src/definitions/definition-repository';
import {
  DefinitionNotFoundError,
  DuplicateDefinitionError,
  VersionConflictError,
} from '../../../../apps/api/src/definitions/definition-errors';
import { cronSource, localTrigger } from './sample-definitions';
import { describeIfPostgres } from '../../../support/postgres';
import {
  describeEachStore,
  emptyTables,
  type OpenedStore,
  postgresBackend,
} from '../../../support/store-backends';

const TOPIC = 'flint.triggers.test';

interface OutboxRow {
  topic: string;
  key: string;
  value: Record<string, unknown> | null;
}

function outbox(store: Store): Promise<OutboxRow[]> {
  return store.query<OutboxRow>('SELECT topic, key, value FROM outbox ORDER BY id');
}

describeEachStore('DefinitionRepository', (backend) => {
  let db: OpenedStore;
  let repository: DefinitionRepository;
  let history: DefinitionHistoryRepository;

  beforeAll(async () => {
    db = await backend.open();
    repository = new DefinitionRepository(db.store, { triggersTopic: TOPIC });
    history = new DefinitionHistoryRepository(db.store);
  });
  beforeEach(() => emptyTables(db.store));
  afterAll(() => db.dispose());

  it('creates new definitions at version 1 and publishes them through the outbox', async () => {
    const source = cronSource('tick', { owner: 'payments' });
    const trigger = localTrigger('on-tick');
    expect(await repository.apply([source, trigger])).toEqual([
      { kind: 'source', id: 'tick', action: 'created', version: 1 },
      { kind: 'trigger', id: 'on-tick', action: 'created', version: 1 },
    ]);

    const stored = await repository.get('source', 'tick');
    expect(stored).toEqual({ ...source, version: 1, updatedAt: expect.any(String) });
    expect(new Date(stored?.updatedAt ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);

    const rows = await outbox(db.store);
    expect(rows).toEqual([
      {
        topic: TOPIC,
        key: 'source:tick',
        value: { ...source, version: 1, updatedAt: stored?.updatedAt },
      },
      {
        topic: TOPIC,
        key: 'trigger:on-tick',
        value: expect.objectContaining({ id: 'on-tick', version: 1 }),
      },
    ]);
  });

  it('writes nothing for a definition that did not change, whatever its key order', async () => {
    const source = cronSource('tick');
    await repository.apply([source]);
    const before = await repository.get('source', 'tick');
    const reordered = Object.fromEntries(Object.entries(source).reverse()) as typeof source;

    expect(await repository.apply([reordered])).toEqual([
      { kind: 'source', id: 'tick', action: 'unchanged', version: 1 },
    ]);
    expect(await repository.get('source', 'tick')).toEqual(before);
    expect(await outbox(db.store)).toHaveLength(1);
  });

  it('bumps the version of a changed definition and publishes the new one', async () => {
    await repository.apply([cronSource('tick'), localTrigger('on-tick')]);
    const changed = cronSource('tick', { config: { schedule: '*/5 * * * *', timezone: 'UTC' } });

    expect(await repository.apply([changed, localTrigger('on-tick')])).toEqual([
      { kind: 'source', id: 'tick', action: 'updated', version: 2 },
      { kind: 'trigger', id: 'on-tick', action: 'unchanged', version: 1 },
    ]);
    expect(await repository.get('source', 'tick')).toMatchObject({
      version: 2,
      config: { schedule: '*/5 * * * *' },
    });
    const rows = await outbox(db.store);
    expect(rows.map((row) => [row.key, row.value?.version])).toEqual([
      ['source:tick', 1],
      ['trigger:on-tick', 1],
      ['source:tick', 2],
    ]);
  });

  it('accepts a matching version and rejects a stale one, rolling the whole batch back', async () => {
    await repository.apply([cronSource('tick'), localTrigger('on-tick')]);
    await repository.apply([cronSource('tick', { enabled: false })]);

    expect(await repository.apply([cronSource('tick', { enabled: false, version: 2 })])).toEqual([
      { kind: 'source', id: 'tick', action: 'unchanged', version: 2 },
    ]);

    const outboxBefore = await outbox(db.store);
    const batch = [
      localTrigger('on-tick', { enabled: false }),
      localTrigger('brand-new'),
      cronSource('tick', { owner: 'other', version: 1 }),
    ];
    const failure = repository.apply(batch);
    await expect(failure).rejects.toThrow(VersionConflictError);
    await expect(failure).rejects.toThrow(
      'source "tick": version 1 was given but the stored version is 2; fetch the current definition and apply again',
    );

    expect(await repository.get('trigger', 'on-tick')).toMatchObject({ enabled: true, version: 1 });
    expect(await repository.get('trigger', 'brand-new')).toBeUndefined();
    expect(await repository.get('source', 'tick')).toMatchObject({ owner: 'default', version: 2 });
    expect(await outbox(db.store)).toEqual(outboxBefore);
  });

  it('rejects a version for a definition that does not exist', async () => {
    await expect(repository.apply([cronSource('tick', { version: 3 })])).rejects.toThrow(
      'source "tick": version 3 was given but no such source exists; leave out "version" to create it',
    );
    expect(await repository.list({ kind: 'source' })).toEqual([]);
  });

  it('rejects a batch that names one definition twice', async () => {
    await expect(repository.apply([cronSource('tick'), cronSource('tick')])).rejects.toThrow(
      new DuplicateDefinitionError('source', 'tick'),
    );
    expect(await repository.list({ kind: 'source' })).toEqual([]);
  });

  it('deletes with a tombstone and continues the version when re-created', async () => {
    await repository.apply([cronSource('tick')]);
    await repository.apply([cronSource('tick', { enabled: false })]);

    await expect(repository.delete('source', 'tick', { expectedVersion: 1 })).rejects.toThrow(
      VersionConflictError,
    );
    expect(await repository.delete('source', 'tick', { expectedVersion: 2 })).toEqual({
      kind: 'source',
      id: 'tick',
      version: 2,
    });
    expect(await repository.get('source', 'tick')).toBeUndefined();
    expect(await repository.list({ kind: 'source' })).toEqual([]);
    expect((await outbox(db.store)).at(-1)).toEqual({
      topic: TOPIC,
      key: 'source:tick',
      value: null,
    });
    await expect(repository.delete('source', 'tick')).rejects.toThrow(
      new DefinitionNotFoundError('source', 'tick'),
    );

    expect(await repository.apply([cronSource('tick')])).toEqual([
      { kind: 'source', id: 'tick', action: 'created', version: 3 },
    ]);
    expect(await repository.get('source', 'tick')).toMatchObject({ version: 3, enabled: true });
  });

  it('lists current definitions of one kind by owner and enabled, ordered by id', async () => {
    await repository.apply([
      localTrigger('b-trigger', { owner: 'payments' }),
      localTrigger('a-trigger', { owner: 'payments', enabled: false }),
      localTrigger('c-trigger', { owner: 'search' }),
      cronSource('tick', { owner: 'payments' }),
    ]);
    const ids = async (filter: Parameters<DefinitionRepository['list']>[0]) =>
      (await repository.list(filter)).map((definition) => definition.id);

    expect(await ids({ kind: 'trigger' })).toEqual(['a-trigger', 'b-trigger', 'c-trigger']);
    expect(await ids({ kind: 'trigger', owner: 'payments' })).toEqual(['a-trigger', 'b-trigger']);
    expect(await ids({ kind: 'trigger', owner: 'payments', enabled: true })).toEqual(['b-trigger']);
    expect(await ids({ kind: 'trigger', enabled: false })).toEqual(['a-trigger']);
    expect(await ids({ kind: 'source' })).toEqual(['tick']);
  });
  it('creates, replaces, enables and disables single definitions with versions and history', async () => {
    const created = await repository.create(cronSource('tick'), { changedBy: 'key-a' });
    expect(created).toMatchObject({ id: 'tick', version: 1, enabled: true });
    await expect(repository.create(cronSource('tick'))).rejects.toThrow(DefinitionExistsError);

    const unchanged = await repository.replace(cronSource('tick'), { expectedVersion: 1 });
    expect(unchanged).toMatchObject({ changed: false, definition: { version: 1 } });
    const replaced = await repository.replace(cronSource('tick', { description: 'every minute' }), {
      expectedVersion: 1,
      changedBy: 'key-b',
    });
    expect(replaced).toMatchObject({ changed: true, definition: { version: 2 } });
    await expect(
      repository.replace(cronSource('tick', { description: 'stale' }), { expectedVersion: 1 }),
    ).rejects.toThrow(VersionConflictError);
    await expect(repository.replace(cronSource('nope'))).rejects.toThrow(DefinitionNotFoundError);

    expect(await repository.setEnabled('source', 'tick', true)).toMatchObject({ changed: false });
    await expect(
      repository.setEnabled('source', 'tick', false, { expectedVersion: 1 }),
    ).rejects.toThrow(VersionConflictError);
    const disabled = await repository.setEnabled('source', 'tick', false, { changedBy: 'key-c' });
    expect(disabled).toMatchObject({ changed: true, definition: { version: 3, enabled: false } });
    expect(await repository.list({ kind: 'source', enabled: false })).toHaveLength(1);
    await repository.delete('source', 'tick', { changedBy: 'key-d' });

    const entries = await history.entries('source', 'tick');
    expect(entries.map((h) => [h.version, h.action, h.changedBy])).toEqual([
      [1, 'created', 'key-a'],
      [2, 'updated', 'key-b'],
      [3, 'disabled', 'key-c'],
      [3, 'deleted', 'key-d'],
    ]);
    expect(entries[1]?.definition).toMatchObject({ description: 'every minute', version: 2 });
    expect(await history.version('source', 'tick', 3)).toMatchObject({
      action: 'disabled',
      definition: { enabled: false },
    });
    expect(await history.version('source', 'tick', 4)).toBeUndefined();
    const secondPage = await history.entries('source', 'tick', {
      afterSeq: entries[1]?.seq,
      limit: 1,
    });
    expect(secondPage.map((h) => h.action)).toEqual(['disabled']);

    // Every change went to the outbox too, in order, ending with the tombstone.
    expect((await outbox(db.store)).map((row) => row.value?.version ?? null)).toEqual([
      1,
      2,
      3,
      null,
    ]);
  });

  it('keeps history in change order across many changes, and pages through it', async () => {
    await repository.create(cronSource('tick'));
    for (let i = 1; i <= 11; i++) {
      await repository.replace(cronSource('tick', { description: `change ${i}` }));
    }
    const entries = await history.entries('source', 'tick');
    expect(entries.map((entry) => entry.version)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const pages: number[][] = [];
    let after: string | undefined;
    do {
      const page = await history.entries('source', 'tick', { afterSeq: after, limit: 5 });
      pages.push(page.map((entry) => entry.version));
      after = page.length === 5 ? page.at(-1)?.seq : undefined;
    } while (after);
    expect(pages).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
      [11, 12],
    ]);
  });

  it('refuses to delete a source that triggers reference, naming them', async () => {
    await repository.apply([
      cronSource('tick'),
      localTrigger('b-user'),
      localTrigger('a-user'),
      localTrigger('inline', {
        sources: [{ id: 'tick-copy', provider: 'cron', config: { schedule: '* * * * *' } }],
      }),
    ]);
    const failure = repository.delete('source', 'tick');
    await expect(failure).rejects.toThrow(DefinitionInUseError);
    await expect(failure).rejects.toThrow('"a-user", "b-user"');
    await repository.delete('trigger', 'a-user');
    await repository.delete('trigger', 'b-user');
    expect(await repository.delete('source', 'tick')).toMatchObject({ version: 1 });
  });

  it('pages by id and filters by provider and by listened source', async () => {
    await repository.apply([
      cronSource('tick'),
      cronSource('tock'),
      DefinitionSchema.parse({
        kind: 'source',
        id: 'hook',
        provider: 'webhook',
        config: { path: 'hook', auth: { type: 'none' } },
      }),
      localTrigger('t1'),
      localTrigger('t2', { sources: ['tock'] }),
      localTrigger('t3', { sources: ['tick', 'tock'] }),
      localTrigger('t4', {
        sources: [{ id: 'tock', provider: 'cron', config: { schedule: '* * * * *' } }],
      }),
    ]);
    const ids = async (filter: Parameters<DefinitionRepository['list']>[0]) =>
      (await repository.list(filter)).map((definition) => definition.id);

    expect(await ids({ kind: 'source', provider: 'cron' })).toEqual(['tick', 'tock']);
    expect(await ids({ kind: 'source', limit: 2 })).toEqual(['hook', 'tick']);
    expect(await ids({ kind: 'source', limit: 2, afterId: 'tick' })).toEqual(['tock']);
    expect(await ids({ kind: 'trigger', source: 'tock' })).toEqual(['t2', 't3', 't4']);
    expect(await ids({ kind: 'trigger', source: 'tock', afterId: 't2', limit: 1 })).toEqual(['t3']);
  });
});

describeIfPostgres('DefinitionRepository on PostgreSQL with several replicas', () => {
  let db: OpenedStore;

  beforeEach(async () => {
    db = await postgresBackend.open();
  });
  afterEach(() => db.dispose());

  it('gives concurrent changes of one definition consecutive versions, published in order', async () => {
    const replicas = [db.store, ...(await Promise.all([1, 2, 3].map(() => db.openReplica())))];
    const repositories = replicas.map(
      (store) => new DefinitionRepository(store, { triggersTopic: TOPIC }),
    );
    await repositories[0]?.apply([cronSource('tick')]);

    const changes = 12;
    const results = await Promise.all(
      Array.from({ length: changes }, (_, i) =>
        repositories[i % repositories.length]?.apply([
          cronSource('tick', { description: `change ${i}` }),
        ]),
      ),
    );
    const versions = results
      .map((result) => result?.[0]?.version)
      .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(versions).toEqual(Array.from({ length: changes }, (_, i) => i + 2));
    expect((await outbox(db.store)).map((row) => row.value?.version)).toEqual(
      Array.from({ length: changes + 1 }, (_, i) => i + 1),
    );
  });

  it('lets exactly one of two concurrent creations of one id win', async () => {
    const replica = await db.openReplica();
    const first = new DefinitionRepository(db.store, { triggersTopic: TOPIC });
    const second = new DefinitionRepository(replica, { triggersTopic: TOPIC });
    const outcomes = await Promise.allSettled([
      first.apply([cronSource('race', { description: 'first' })]),
      second.apply([cronSource('race', { description: 'second' })]),
    ]);
    const created = outcomes.filter(
      (outcome) => outcome.status === 'fulfilled' && outcome.value[0]?.action === 'created',
    );
    expect(created).toHaveLength(1);
    // The loser either saw the winner's row (and updated it) or raced it and was told to apply again.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(VersionConflictError);
        expect(String(outcome.reason)).toContain('was created by another request at the same time');
      }
    }
    const published = (await outbox(db.store)).map((row) => row.value?.version);
    expect(published).toEqual(published.length === 1 ? [1] : [1, 2]);
  });
});
