import { problemsOf } from '../spec-helpers';
import { PollerConfigSchema } from './poller-config';

const minimal = { url: 'https://api.example.com/items', intervalSeconds: 60, itemKey: 'item.id' };

describe('PollerConfigSchema', () => {
  it('accepts templated query values, a cursor without param and the optional settings', () => {
    const config = {
      ...minimal,
      query: { updated_after: '{{cursor}}', limit: '100' },
      cursor: { from: 'max-field', field: 'item.updated_at', initial: '2024-01-01T00:00:00Z' },
      eventType: 'com.example.item.changed',
      rememberKeys: 5000,
    };
    expect(PollerConfigSchema.parse(config)).toMatchObject(config);
  });

  it('accepts the cursor placeholder in a POST body', () => {
    const config = {
      ...minimal,
      method: 'POST',
      body: { filter: { since: '{{cursor}}' } },
      cursor: { from: 'next-page-token', path: '$.next' },
    };
    expect(PollerConfigSchema.parse(config)).toMatchObject(config);
  });

  it('rejects a cursor that is never sent', () => {
    expect(
      problemsOf(PollerConfigSchema, {
        ...minimal,
        cursor: { from: 'next-page-token', path: '$.next' },
      }),
    ).toEqual([
      {
        path: 'cursor',
        message:
          'is never sent: set cursor.param, or write {{cursor}} in a query value or in the body',
      },
    ]);
  });

  it('rejects an initial cursor that is not a string or number, and a tiny key memory', () => {
    expect(
      problemsOf(PollerConfigSchema, {
        ...minimal,
        cursor: { from: 'max-field', field: 'item.n', param: 'since', initial: true },
        rememberKeys: 10,
      }),
    ).toEqual([
      { path: 'cursor.initial', message: 'must be a string or a number' },
      { path: 'rememberKeys', message: 'must be at least 100' },
    ]);
  });

  describe('sql', () => {
    const sql = {
      connectionRef: 'orders-db',
      query: 'SELECT id, total, updated_at FROM orders WHERE id > $1',
      cursorColumn: 'id',
    };

    it('accepts a query with a cursor column and fills in maxRows', () => {
      expect(PollerConfigSchema.parse({ sql, intervalSeconds: 10 })).toMatchObject({
        sql: { ...sql, maxRows: 1000 },
        intervalSeconds: 10,
        timeoutMs: 10_000,
      });
      const keyed = { connectionRef: 'db', query: 'SELECT * FROM jobs', keyColumn: 'id' };
      expect(PollerConfigSchema.parse({ sql: keyed, intervalSeconds: 10 }).sql).toMatchObject(
        keyed,
      );
    });

    it('wants exactly one of url and sql', () => {
      expect(problemsOf(PollerConfigSchema, { intervalSeconds: 10 })).toEqual([
        {
          path: 'url',
          message: 'required: set url to poll an HTTP API, or sql to poll a PostgreSQL query',
        },
      ]);
      expect(problemsOf(PollerConfigSchema, { ...minimal, sql })).toEqual([
        {
          path: 'sql',
          message: 'cannot be combined with url: a source polls either an HTTP API or a database',
        },
      ]);
      expect(problemsOf(PollerConfigSchema, { url: minimal.url, intervalSeconds: 10 })).toEqual([
        {
          path: 'itemKey',
          message: 'required: an expression giving an item\'s stable key, like "item.id"',
        },
      ]);
    });

    it('refuses HTTP settings on a SQL source', () => {
      expect(
        problemsOf(PollerConfigSchema, {
          sql,
          intervalSeconds: 10,
          itemKey: 'item.id',
          method: 'POST',
          headers: { accept: 'x' },
        }),
      ).toEqual([
        { path: 'method', message: 'only applies to HTTP sources (with url), not to sql' },
        { path: 'headers', message: 'only applies to HTTP sources (with url), not to sql' },
        { path: 'itemKey', message: 'only applies to HTTP sources (with url), not to sql' },
      ]);
    });

    it('refuses writes, second statements and other parameters, with the reason', () => {
      const problems = (query: string, extra: Record<string, unknown> = {}) =>
        problemsOf(PollerConfigSchema, {
          sql: { connectionRef: 'db', query, keyColumn: 'id', ...extra },
          intervalSeconds: 10,
        });
      expect(problems('DELETE FROM orders')).toEqual([
        {
          path: 'sql.query',
          message:
            'must be a read-only query starting with SELECT, WITH, VALUES or TABLE, not DELETE',
        },
      ]);
      expect(problems('SELECT * FROM orders; DROP TABLE orders')).toEqual([
        {
          path: 'sql.query',
          message: 'must be a single statement: nothing but comments may follow the ";"',
        },
      ]);
      expect(
        problems('SELECT * FROM orders WHERE id > $1 AND kind = $2', { cursorColumn: 'id' }),
      ).toEqual([{ path: 'sql.query', message: 'may only use $1 (the cursor); found $2' }]);
    });

    it('ties the cursor column to $1 and needs a key', () => {
      const problems = (extra: Record<string, unknown>) =>
        problemsOf(PollerConfigSchema, {
          sql: { connectionRef: 'db', query: 'SELECT * FROM orders', ...extra },
          intervalSeconds: 10,
        });
      expect(problems({})).toEqual([
        {
          path: 'sql.keyColumn',
          message: 'required without cursorColumn: each row needs a key, its event id',
        },
      ]);
      expect(problems({ cursorColumn: 'id' })).toEqual([
        {
          path: 'sql.query',
          message:
            'never uses the cursor: write $1 where it goes (like "WHERE id > $1"), or leave out cursorColumn',
        },
      ]);
      expect(problems({ query: 'SELECT * FROM orders WHERE id > $1', keyColumn: 'id' })).toEqual([
        { path: 'sql.cursorColumn', message: 'required when the query uses $1 (the cursor)' },
      ]);
      expect(problems({ keyColumn: 'id', initialCursor: 5, connectionRef: 'bad name' })).toEqual([
        {
          path: 'sql.connectionRef',
          message:
            'must be the name of a secret: letters, digits, ".", "_" or "-" (like "github-webhook-secret")',
        },
        { path: 'sql.initialCursor', message: 'only applies with cursorColumn' },
      ]);
    });
  });
});
