import type { Log } from '@flint/common';
import type { CloudEvent } from '@flint/contracts';
import { ProviderService } from '@flint/provider-sdk';
import { openServiceRuntime } from '@flint/service-kit';
import { Client } from 'pg';
import { HostLimiter } from '../../../../../apps/providers/poller/src/http/host-limiter';
import { PollerModule } from '../../../../../apps/providers/poller/src/poller.module';
import { FunctionSourceProvider } from '../../../../../apps/providers/poller/src/function/function-source';
import { PollerProvider } from '../../../../../apps/providers/poller/src/poller-provider';
import { uniqueName, waitFor } from '../../../../support/kafka';
import {
  createScratchDatabase,
  describeIfPostgres,
  type ScratchDatabase,
} from '../../../../support/postgres';
import { type EventCollector, ProviderFixture, stored } from '../../../../support/provider-fixture';
import { runReplicaThatCrashesBeforeSaving, savedState } from '../crashing-replica';

const PASSWORD = 'not-the-real-password';

function sqlSource(id: string, sql: Record<string, unknown>) {
  return stored({
    kind: 'source',
    id,
    provider: 'poller',
    config: { intervalSeconds: 1, sql: { connectionRef: 'orders-db', ...sql } },
  });
}

const idsOf = (events: CloudEvent[]) => events.map((event) => Number(event.id));
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describeIfPostgres('poller SQL sources', () => {
  let fixture: ProviderFixture;
  let collector: EventCollector;
  let database: ScratchDatabase;
  let client: Client;
  /** The source database's URL with a password in it (trust auth ignores it), to check logs hide it. */
  let connectionString: string;
  let table: string;

  beforeAll(async () => {
    fixture = await ProviderFixture.create('sql-poller');
    collector = await fixture.collect();
    database = await createScratchDatabase('sqlsource');
    connectionString = database.url.replace('://postgres@', `://postgres:${PASSWORD}@`);
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  beforeEach(async () => {
    table = uniqueName('orders')
      .replace(/[^a-z0-9_]/gi, '_')
      .toLowerCase();
    await client.query(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, total numeric(10, 2) NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())`,
    );
  });

  afterEach(() => fixture.reset());

  afterAll(async () => {
    await fixture?.close();
    await client?.end();
    await database?.drop();
  });

  const insert = async (from: number, to: number) => {
    for (const id of range(from, to)) {
      await client.query(`INSERT INTO ${table} (id, total) VALUES ($1, $2)`, [id, id * 1.5]);
    }
  };
  const env = () => ({ FLINT_SECRET_ORDERS_DB: connectionString });
  const startPoller = () =>
    fixture.start('poller', (runtime) => PollerModule.forRuntime(runtime), env());
  const pollerConnections = async () => {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'flint-poller'`,
      [database.name],
    );
    return Number(rows[0].count);
  };

  it('emits rows inserted over time once each, in cursor order, across a restart', async () => {
    const id = uniqueName('orders');
    await insert(1, 3);
    await fixture.publish(
      sqlSource(id, {
        query: `SELECT id, total, placed_at FROM ${table} WHERE id > $1`,
        cursorColumn: 'id',
        initialCursor: 0,
        maxRows: 2,
      }),
    );
    let service = await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 3, `3 rows of ${id}`);
    expect(collector.ofSource(id)[0]).toMatchObject({
      id: '1',
      type: 'flint.poller.item',
      subject: '1',
      flintsourceid: id,
      data: {
        id: 1,
        total: '1.50',
        placed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]{15}Z$/),
      },
    });

    await insert(4, 6);
    await collector.until(() => collector.ofSource(id).length >= 6, `6 rows of ${id}`);
    await waitFor(async () => (await savedState(service.runtime, id))?.cursor === 6, {
      description: 'cursor 6 saved',
    });
    await fixture.stopService(service);

    await insert(7, 8);
    service = await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 8, `8 rows of ${id}`);
    // Polls after the restart went on from the cursor: a row inserted now is the only new event.
    await insert(9, 9);
    await collector.until(() => collector.ofSource(id).length >= 9, `9 rows of ${id}`);
    expect(idsOf(collector.ofSource(id))).toEqual(range(1, 9));

    // The source's pool is closed once the source is gone.
    expect(await pollerConnections()).toBeGreaterThan(0);
    await fixture.removeAll();
    await waitFor(async () => (await pollerConnections()) === 0, {
      description: 'the poller closed its connections to the source database',
    });
  });

  it('loses no row when it crashes between emitting and saving the cursor', async () => {
    const id = uniqueName('crash');
    await insert(1, 7);
    await fixture.publish(
      sqlSource(id, {
        query: `SELECT id, total FROM ${table} WHERE id > COALESCE($1::bigint, 0)`,
        cursorColumn: 'id',
        maxRows: 3,
      }),
    );
    // A replica that dies right after Kafka acknowledged the first three rows, before saving.
    await runReplicaThatCrashesBeforeSaving(fixture, env(), () =>
      collector.until(() => collector.ofSource(id).length >= 3, `first page of ${id}`),
    );
    expect(idsOf(collector.ofSource(id))).toEqual([1, 2, 3]);

    const service = await startPoller();
    await collector.until(
      () => new Set(idsOf(collector.ofSource(id))).size >= 7,
      `all 7 rows of ${id}`,
    );
    await waitFor(async () => (await savedState(service.runtime, id))?.cursor === 7, {
      description: 'cursor 7 saved by the new replica',
    });
    const ids = idsOf(collector.ofSource(id));
    expect([...new Set(ids)].sort((a, b) => a - b)).toEqual(range(1, 7));
    // The first page went out again with the same event ids, so consumers dedupe it; nothing is lost.
    expect(ids.filter((n) => n <= 3)).toHaveLength(6);
    expect(ids.filter((n) => n > 3)).toHaveLength(4);
  });

  it('backs off on a bad query or an unreachable database, logging why without the password, and recovers', async () => {
    const missing = `${table}_later`;
    const badQuery = uniqueName('bad-query');
    const unreachable = uniqueName('unreachable');
    await fixture.publish(
      sqlSource(badQuery, {
        query: `SELECT id, total FROM ${missing} WHERE id > COALESCE($1::bigint, 0)`,
        cursorColumn: 'id',
      }),
    );
    await fixture.publish(
      stored({
        kind: 'source',
        id: unreachable,
        provider: 'poller',
        config: {
          intervalSeconds: 1,
          sql: { connectionRef: 'nowhere-db', query: 'SELECT 1 AS id', keyColumn: 'id' },
        },
      }),
    );
    const logs: Array<{ message: string; sourceId: unknown }> = [];
    const log: Log = (level, message, fields) => {
      if (level === 'warn') logs.push({ message, sourceId: fields?.sourceId });
    };
    const runtime = await openServiceRuntime('poller', {
      env: fixture.env({
        ...env(),
        FLINT_SECRET_NOWHERE_DB: `postgres://postgres:${PASSWORD}@127.0.0.1:1/nowhere`,
      }),
    });
    const service = new ProviderService(
      runtime,
      {
        poller: new PollerProvider({
          limiter: new HostLimiter(4),
          backoff: { initialMs: 200, maxMs: 1000 },
        }),
        function: new FunctionSourceProvider([]),
      },
      { log },
    );
    service.onApplicationBootstrap();
    try {
      const failures = (sourceId: string) => logs.filter((entry) => entry.sourceId === sourceId);
      await waitFor(() => failures(badQuery).length >= 2 && failures(unreachable).length >= 2, {
        description: 'repeated poll failures of both sources',
      });
      expect(failures(badQuery)[0].message).toMatch(
        new RegExp(
          `^poll failed, retrying in \\d+ ms: database "orders-db" \\(127\\.0\\.0\\.1:5432/${database.name}\\): query failed: relation "${missing}" does not exist \\(SQLSTATE 42P01\\)$`,
        ),
      );
      expect(failures(unreachable)[0].message).toMatch(
        /^poll failed, retrying in \d+ ms: database "nowhere-db" \(127\.0\.0\.1:1\/nowhere\): cannot connect: .*ECONNREFUSED/,
      );
      expect(logs.some((entry) => entry.message.includes(PASSWORD))).toBe(false);

      // Fixing what was wrong is enough: the next retry succeeds.
      await client.query(`CREATE TABLE ${missing} (id bigint PRIMARY KEY, total numeric NOT NULL)`);
      await client.query(`INSERT INTO ${missing} VALUES (1, 10), (2, 20)`);
      await collector.until(() => collector.ofSource(badQuery).length >= 2, `rows of ${badQuery}`);
      expect(idsOf(collector.ofSource(badQuery))).toEqual([1, 2]);
    } finally {
      await service.onApplicationShutdown();
      await runtime.close();
    }
  });
});
