import { errorText, type Log } from '@flint/common';
import { readOnlyQueryProblem, scanSqlQuery, type SqlPoll } from '@flint/contracts';
import type { Pool, QueryConfig } from 'pg';
import { asCursorValue } from '../polling/cursor-order';
import { PollError } from '../http/poll-fetcher';
import {
  fingerprintOf,
  keyItems,
  type PageReader,
  type PolledPage,
  type PollPages,
} from '../polling/poll-job';
import type { CursorValue } from '../http/poll-request';
import type { PollerState } from '../polling/poller-state';
import type { SqlPoolLease } from './sql-pools';
import { ROW_TYPES } from './sql-rows';

/** A poll query that failed; the message names the database but never its password. */
export class SqlPollError extends PollError {
  override readonly name = 'SqlPollError';
}

export interface SqlPollPagesOptions {
  sql: SqlPoll;
  /** The statement timeout of each query. */
  timeoutMs: number;
  /** The connection string, from the secret `sql.connectionRef`; looked up on every poll. */
  connectionString: () => Promise<string>;
  pools: SqlPoolLease;
  log: Log;
}

interface QueryResultRows {
  rows: Record<string, unknown>[];
  columns: string[];
}

/**
 * The pages of a PostgreSQL query: the source's query wrapped so rows come in cursor order and at
 * most `maxRows` at a time, `$1` bound to the cursor, run in a READ ONLY transaction with a statement
 * timeout, as one statement of the extended protocol (which refuses a second one). Each row is an
 * item keyed by `keyColumn` (or `cursorColumn`); the cursor is the last row's `cursorColumn`.
 */
export class SqlPollPages implements PollPages {
  readonly fingerprint: string;
  readonly initialCursor: CursorValue | undefined;
  private readonly text: string;
  /** Why the query must not run; validation refuses such a query already, this holds should one get past it. */
  private readonly refusal: string | undefined;

  constructor(private readonly options: SqlPollPagesOptions) {
    const { sql } = options;
    this.fingerprint = fingerprintOf({
      connectionRef: sql.connectionRef,
      query: sql.query,
      cursorColumn: sql.cursorColumn ?? null,
      initialCursor: sql.initialCursor ?? null,
    });
    this.initialCursor = sql.initialCursor;
    this.text = wrappedQuery(sql);
    this.refusal = readOnlyQueryProblem(scanSqlQuery(sql.query));
  }

  async begin(): Promise<PageReader> {
    const connectionString = await this.options.connectionString();
    const pool = await this.options.pools.pool(connectionString);
    const database = new DatabaseName(this.options.sql.connectionRef, connectionString);
    return (state) => this.read(pool, database, state);
  }

  private async read(pool: Pool, database: DatabaseName, state: PollerState): Promise<PolledPage> {
    const { sql } = this.options;
    if (this.refusal) throw new SqlPollError(`the query is refused: it ${this.refusal}`);
    const values = sql.cursorColumn === undefined ? [] : [state.cursor ?? null];
    const { rows, columns } = await this.query(pool, database, values);
    const keyColumn = sql.keyColumn ?? sql.cursorColumn!;
    if (!columns.includes(keyColumn)) {
      throw new SqlPollError(
        `the query's result has no column "${keyColumn}" for the row key; its columns: ${columns.join(', ')}`,
      );
    }
    const items = keyItems(
      rows,
      (row) => (row as Record<string, unknown>)[keyColumn],
      `column "${keyColumn}"`,
    );
    const full = rows.length >= sql.maxRows;
    if (sql.cursorColumn === undefined) {
      if (full)
        this.warnFull('rows beyond them are not read; narrow the query or set cursorColumn');
      return { notModified: false, items, cursor: undefined, caughtUp: true };
    }
    const last = rows[rows.length - 1];
    const cursor =
      last === undefined ? state.cursor : this.cursorOf(last[sql.cursorColumn], sql.cursorColumn);
    const stuck = full && cursor === state.cursor;
    if (stuck)
      this.warnFull(`they all have ${sql.cursorColumn} ${JSON.stringify(cursor)}; raise maxRows`);
    return { notModified: false, items, cursor, caughtUp: !full || stuck };
  }

  private cursorOf(value: unknown, column: string): CursorValue {
    if (value === null || value === undefined) {
      throw new SqlPollError(
        `column "${column}" (the cursor) is null in a row; leave such rows out (WHERE ${column} IS NOT NULL)`,
      );
    }
    return asCursorValue(value, `column "${column}" (the cursor)`);
  }

  private warnFull(what: string): void {
    this.options.log(
      'warn',
      `the query returned maxRows (${this.options.sql.maxRows}) rows: ${what}`,
      {
        maxRows: this.options.sql.maxRows,
      },
    );
  }

  private async query(
    pool: Pool,
    database: DatabaseName,
    values: unknown[],
  ): Promise<QueryResultRows> {
    let client;
    try {
      client = await pool.connect();
    } catch (err) {
      throw database.error('cannot connect', err);
    }
    let broken = false;
    try {
      await client.query('BEGIN READ ONLY');
      // Local to the transaction: timestamps are read in UTC and ISO form, whatever the role's defaults.
      await client.query({
        text: `SELECT set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true),
                      set_config('DateStyle', 'ISO, YMD', true)`,
        values: [String(this.options.timeoutMs)],
      });
      const config: QueryConfig & { queryMode: 'extended' } = {
        text: this.text,
        values,
        types: ROW_TYPES,
        queryMode: 'extended',
      };
      const result = await client.query<Record<string, unknown>>(config);
      await client.query('ROLLBACK');
      return { rows: result.rows, columns: result.fields.map((field) => field.name) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw database.error('query failed', err);
    } finally {
      client.release(broken);
    }
  }
}

/**
 * The source's query as a subquery, ordered by the cursor column and limited to `maxRows`. Only a
 * query can be a subquery: an INSERT, or a second statement, is a syntax error here.
 */
function wrappedQuery(sql: SqlPoll): string {
  const body = sql.query.slice(0, scanSqlQuery(sql.query).statementEnd);
  const order =
    sql.cursorColumn === undefined ? '' : ` ORDER BY polled.${quoteName(sql.cursorColumn)}`;
  // The newline ends a `--` comment the query may finish with.
  return `SELECT * FROM (\n${body}\n) AS polled${order} LIMIT ${sql.maxRows}`;
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Names a database in messages by its secret, host and name; never by its password. */
class DatabaseName {
  private readonly label: string;
  private readonly hidden: string[];

  constructor(connectionRef: string, connectionString: string) {
    const url = parseUrl(connectionString);
    const where = url ? ` (${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname})` : '';
    this.label = `database "${connectionRef}"${where}`;
    const password = url
      ? decodeURIComponent(url.password)
      : /password\s*=\s*'?([^'\s]+)/i.exec(connectionString)?.[1];
    this.hidden = [connectionString, ...(password ? [password, encodeURIComponent(password)] : [])];
  }

  error(what: string, err: unknown): SqlPollError {
    const code = (err as { code?: unknown }).code;
    const sqlState =
      typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
    return new SqlPollError(`${this.label}: ${what}: ${this.redact(errorText(err))}${sqlState}`);
  }

  private redact(text: string): string {
    let safe = text;
    for (const secret of this.hidden) if (secret) safe = safe.split(secret).join('***');
    return safe;
  }
}

function parseUrl(connectionString: string): URL | undefined {
  try {
    return new URL(connectionString);
  } catch {
    return undefined;
  }
}

/** A connection refused on every address is an AggregateError without a message of its own. */
