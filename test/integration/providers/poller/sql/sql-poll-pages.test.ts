import type { Log } from '@flint/common';
import { PollerConfigSchema, type SqlPoll } from '@flint/contracts';
import { Client } from 'pg';
import type { PolledPage } from '../../../../../apps/providers/poller/src/polling/poll-job';
import type { PollerState } from '../../../../../apps/providers/poller/src/polling/poller-state';
import { SqlPollPages } from '../../../../../apps/providers/poller/src/sql/sql-poll-pages';
import { SqlPools } from '../../../../../apps/providers/poller/src/sql/sql-pools';
import {
  createScratchDatabase,
  describeIfPostgres,
  type ScratchDatabase,
} from '../../../../support/postgres';

const signal = new AbortController().signal;

function sqlOf(sql: Record<string, unknown>): SqlPoll {
  const config = PollerConfigSchema.parse({
    sql: { connectionRef: 'db', ...sql },
    intervalSeconds: 1,
  });
  return config.sql!;
}

describeIfPostgres('SQL poll pages against PostgreSQL', () => {
  let database: ScratchDatabase;
  let client: Client;
  let pools: SqlPools;
  const warnings: string[] = [];
  const log: Log = (level, message) => {
    if (level === 'warn') warnings.push(message);
  };

  beforeAll(async () => {
    database = await createScratchDatabase('sqlpages');
    client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`
      CREATE TABLE readings (
        id bigint PRIMARY KEY,
        big bigint,
        amount numeric(12, 2),
        taken_at timestamptz NOT NULL,
        local_at timestamp,
        day date,
        tags jsonb,
        raw bytea,
        ok boolean,
        note text
      );
      CREATE SEQUENCE tickets;`);
  });

  beforeEach(() => {
    pools = new SqlPools();
    warnings.length = 0;
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  async function reader(sql: SqlPoll, timeoutMs = 10_000) {
    const lease = pools.lease();
    const pages = new SqlPollPages({
      sql,
      timeoutMs,
      connectionString: async () => database.url,
      pools: lease,
      log,
    });
    const read = await pages.begin();
    return {
      pages,
      lease,
      read: (state: Partial<PollerState> = {}) =>
        read({ fingerprint: pages.fingerprint, seen: [], ...state }, signal),
    };
  }

  const itemsOf = (page: PolledPage) => (page.notModified ? [] : page.items);

  it('reads rows as plain JSON in cursor order and moves the cursor without losing precision', async () => {
    await client.query(`
      INSERT INTO readings VALUES
        (2, 9007199254740993, 12.50, '2024-05-01 12:00:00.000002+00', '2024-05-01 14:00:00.5', '2024-05-01',
         '{"a": [1, 2]}', '\\xdeadbeef', true, null),
        (1, 42, 0.10, '2024-05-01 12:00:00.000001+00', null, null, null, null, false, 'first')`);
    const sql = sqlOf({
      query: 'SELECT * FROM readings WHERE taken_at > $1',
      cursorColumn: 'taken_at',
      keyColumn: 'id',
      initialCursor: '2024-01-01T00:00:00Z',
    });
    const { read, lease } = await reader(sql);
    const page = await read({ cursor: sql.initialCursor });
    expect(page).toEqual({
      notModified: false,
      cursor: '2024-05-01T12:00:00.000002Z',
      caughtUp: true,
      items: [
        {
          key: '1',
          item: {
            id: 1,
            big: 42,
            amount: '0.10',
            taken_at: '2024-05-01T12:00:00.000001Z',
            local_at: null,
            day: null,
            tags: null,
            raw: null,
            ok: false,
            note: 'first',
          },
        },
        {
          key: '2',
          item: {
            id: 2,
            big: '9007199254740993',
            amount: '12.50',
            taken_at: '2024-05-01T12:00:00.000002Z',
            local_at: '2024-05-01T14:00:00.500000',
            day: '2024-05-01',
            tags: { a: [1, 2] },
            raw: '\\xdeadbeef',
            ok: true,
            note: null,
          },
        },
      ],
    });
    // The cursor goes back as $1 exactly: one microsecond later is a row, the same instant is none.
    expect(
      itemsOf(await read({ cursor: '2024-05-01T12:00:00.000001Z' })).map((i) => i.key),
    ).toEqual(['2']);
    expect(itemsOf(await read({ cursor: '2024-05-01T12:00:00.000002Z' }))).toEqual([]);
    await lease.release();
    expect(pools.size).toBe(0);
  });

  it('pages by maxRows and says when rows sharing one cursor value fill a page', async () => {
    const sql = sqlOf({
      query: 'SELECT id, ok FROM readings WHERE id > $1',
      cursorColumn: 'id',
      initialCursor: 0,
      maxRows: 1,
    });
    const { read, lease } = await reader(sql);
    const first = await read({ cursor: 0 });
    expect(first).toMatchObject({ cursor: 1, caughtUp: false, items: [{ key: '1' }] });
    expect(await read({ cursor: 1 })).toMatchObject({ cursor: 2, caughtUp: false });
    expect(await read({ cursor: 2 })).toMatchObject({ cursor: 2, caughtUp: true, items: [] });

    const ties = await reader(
      sqlOf({
        query: 'SELECT 7 AS v, id FROM readings WHERE 7 >= $1',
        cursorColumn: 'v',
        keyColumn: 'id',
        maxRows: 1,
      }),
    );
    expect(await ties.read({ cursor: 7 })).toMatchObject({ cursor: 7, caughtUp: true });
    expect(warnings).toEqual([
      'the query returned maxRows (1) rows: they all have v 7; raise maxRows',
    ]);
    await lease.release();
    await ties.lease.release();
  });

  it('refuses writes at run time and leaves the data alone', async () => {
    // Each passes the validation's first-keyword check; PostgreSQL itself refuses them.
    const attempts: Array<[string, RegExp]> = [
      [
        'WITH gone AS (DELETE FROM readings RETURNING id) SELECT id FROM gone',
        /data-modifying statement|read-only/,
      ],
      [
        "SELECT nextval('tickets') AS id",
        /cannot execute nextval\(\) in a read-only transaction \(SQLSTATE 25006\)/,
      ],
      [
        'SELECT id FROM readings; DELETE FROM readings',
        /the query is refused: it must be a single statement/,
      ],
    ];
    for (const [query, reason] of attempts) {
      const sql = { connectionRef: 'db', query, keyColumn: 'id', maxRows: 10 } as SqlPoll;
      const { read, lease } = await reader(sql);
      await expect(read()).rejects.toThrow(reason);
      await lease.release();
    }
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM readings');
    expect(rows[0].count).toBe('2');
    const sequence = await client.query<{ last_value: string; is_called: boolean }>(
      'SELECT last_value, is_called FROM tickets',
    );
    expect(sequence.rows[0].is_called).toBe(false);
  });

  it('stops a query at the statement timeout and names a missing key column', async () => {
    const slow = await reader(
      sqlOf({ query: 'SELECT 1 AS id, pg_sleep(5)', keyColumn: 'id' }),
      200,
    );
    await expect(slow.read()).rejects.toThrow(
      /database "db" \(127\.0\.0\.1:5432\/\w+\): query failed: canceling statement due to statement timeout \(SQLSTATE 57014\)/,
    );
    const keyless = await reader(sqlOf({ query: 'SELECT id AS n FROM readings', keyColumn: 'id' }));
    await expect(keyless.read()).rejects.toThrow(
      `the query's result has no column "id" for the row key; its columns: n`,
    );
    await slow.lease.release();
    await keyless.lease.release();
  });
});
