import { z } from 'zod';
import { EventTypeSchema, HeadersSchema, HttpUrlSchema, SecretNameSchema } from '../primitives';
import { discriminatorError, strictObject } from '../strict';
import { readOnlyQueryProblem, scanSqlQuery } from './sql-query';

const JsonPathSchema = z
  .string()
  .max(1024, 'must be at most 1024 characters')
  .regex(/^\$/, 'must be a JSONPath starting with "$" (like "$.items")');

const QueryParamSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

const CursorValueSchema = z.union([z.string().max(1024), z.number()], {
  error: 'must be a string or a number',
});

/** Replaced by the current cursor in `query` values and in strings of `body` (HTTP sources). */
export const CURSOR_PLACEHOLDER = '{{cursor}}';

export const POLLER_CURSOR_KINDS = ['max-field', 'next-page-token'] as const;

/** How the poller remembers how far it got, so a restart does not emit old items again. */
export const PollerCursorSchema = z.discriminatedUnion(
  'from',
  [
    strictObject({
      from: z.literal('max-field'),
      /** Expression on one item whose largest value seen is the cursor, e.g. `item.updated_at`. */
      field: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
      /** Query parameter the cursor is sent in; leave it out to place `{{cursor}}` in query or body. */
      param: QueryParamSchema.optional(),
      /** The cursor before any item was seen; without it the first poll sends none. */
      initial: CursorValueSchema.optional(),
    }),
    strictObject({
      from: z.literal('next-page-token'),
      /** JSONPath of the next page's token in the response. */
      path: JsonPathSchema,
      param: QueryParamSchema.optional(),
    }),
  ],
  { error: discriminatorError('from', 'cursor kind', POLLER_CURSOR_KINDS) },
);

function mentionsCursor(config: { query?: Record<string, string>; body?: unknown }): boolean {
  const inQuery = Object.values(config.query ?? {}).some((v) => v.includes(CURSOR_PLACEHOLDER));
  return inQuery || JSON.stringify(config.body ?? null).includes(CURSOR_PLACEHOLDER);
}

/** CloudEvent type of a polled item's event unless the source sets `eventType`. */
export const DEFAULT_POLLER_EVENT_TYPE = 'flint.poller.item';

const ColumnNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters (the PostgreSQL limit)');

/** Most rows one query returns; more are fetched by the next query of the same poll. */
export const DEFAULT_SQL_MAX_ROWS = 1000;

/**
 * A PostgreSQL query polled instead of an HTTP API (the "database sensor"): each row it returns
 * becomes one event. It runs as one statement in a READ ONLY transaction with `timeoutMs` as its
 * statement timeout.
 */
export const SqlPollSchema = strictObject({
  /** Name of the secret holding the connection string (`postgres://user:password@host/db`). */
  connectionRef: SecretNameSchema,
  /** A read-only query; `$1` is the cursor (the largest `cursorColumn` value emitted so far). */
  query: z
    .string()
    .max(65_536, 'must be at most 65536 characters')
    .superRefine((query, ctx) => {
      const scan = scanSqlQuery(query);
      const problem = readOnlyQueryProblem(scan);
      if (problem) return ctx.addIssue({ code: 'custom', message: problem });
      const other = scan.parameters.find((n) => n !== 1);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `may only use $1 (the cursor); found $${other}`,
        });
      }
    }),
  /** Result column whose largest emitted value is the cursor; rows are read in its order. */
  cursorColumn: ColumnNameSchema.optional(),
  /** Result column of a row's stable key (its event id); defaults to `cursorColumn`. */
  keyColumn: ColumnNameSchema.optional(),
  /** The cursor before any row was emitted; without it `$1` is null at first. */
  initialCursor: CursorValueSchema.optional(),
  /** Most rows read per query; a poll queries again while full pages keep coming. */
  maxRows: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .default(DEFAULT_SQL_MAX_ROWS),
})
  .refine((sql) => sql.keyColumn !== undefined || sql.cursorColumn !== undefined, {
    message: 'required without cursorColumn: each row needs a key, its event id',
    path: ['keyColumn'],
  })
  .refine((sql) => sql.initialCursor === undefined || sql.cursorColumn !== undefined, {
    message: 'only applies with cursorColumn',
    path: ['initialCursor'],
  })
  .superRefine((sql, ctx) => {
    const usesCursor = scanSqlQuery(sql.query).parameters.includes(1);
    if (sql.cursorColumn !== undefined && !usesCursor) {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message:
          'never uses the cursor: write $1 where it goes (like "WHERE id > $1"), or leave out cursorColumn',
      });
    }
    if (sql.cursorColumn === undefined && usesCursor) {
      ctx.addIssue({
        code: 'custom',
        path: ['cursorColumn'],
        message: 'required when the query uses $1 (the cursor)',
      });
    }
  });
export type SqlPoll = z.infer<typeof SqlPollSchema>;

/** Fields of an HTTP source, and the value each has when left out. */
const HTTP_ONLY_FIELDS = [
  'method',
  'headers',
  'query',
  'body',
  'itemsPath',
  'itemKey',
  'cursor',
] as const;

function isSet(config: PollerConfigShape, field: (typeof HTTP_ONLY_FIELDS)[number]): boolean {
  switch (field) {
    case 'method':
      return config.method !== 'GET';
    case 'headers':
      return Object.keys(config.headers).length > 0;
    case 'itemsPath':
      return config.itemsPath !== '$';
    default:
      return config[field] !== undefined;
  }
}

const PollerConfigObject = strictObject({
  /** The HTTP API polled; a source has either `url` or `sql`. */
  url: HttpUrlSchema.optional(),
  /** The PostgreSQL query polled; a source has either `url` or `sql`. */
  sql: SqlPollSchema.optional(),
  method: z.enum(['GET', 'POST'], { error: 'must be GET or POST' }).default('GET'),
  headers: HeadersSchema.default({}),
  /** Query parameters added to the URL; `{{cursor}}` in a value is replaced by the cursor. */
  query: z
    .record(QueryParamSchema, z.string().max(2048, 'must be at most 2048 characters'))
    .optional(),
  /** JSON body sent with POST; `{{cursor}}` in its strings is replaced by the cursor. */
  body: z.unknown().optional(),
  intervalSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .max(7 * 86_400, 'must be at most 604800 (a week)'),
  /** Random delay added to each poll so many pollers do not hit an API in step. */
  jitterSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 or more')
    .default(0),
  /** JSONPath of the list of items in the response; `$` when the response is the list. */
  itemsPath: JsonPathSchema.default('$'),
  /** Expression giving an item's stable key, its event id, e.g. `item.id` (HTTP sources). */
  itemKey: z
    .string()
    .regex(/\S/, 'must be a non-empty expression like "item.id"')
    .max(1024)
    .optional(),
  cursor: PollerCursorSchema.optional(),
  /** CloudEvent type of the items' events. */
  eventType: EventTypeSchema.optional(),
  /** How many emitted item keys are remembered, so an item is emitted once even if polled again. */
  rememberKeys: z
    .number()
    .int('must be a whole number')
    .min(100, 'must be at least 100')
    .max(1_000_000, 'must be at most 1000000')
    .optional(),
  /** Bounds each request, or each query (its statement timeout) and connection attempt. */
  timeoutMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100')
    .max(300_000, 'must be at most 300000 (5 minutes)')
    .default(10_000),
});
type PollerConfigShape = z.infer<typeof PollerConfigObject>;

/**
 * A poll job: an HTTP JSON API (`url`, with `itemKey` and the request settings) or a PostgreSQL
 * query (`sql`). One object with a rule on which fields go together rather than a union, so a
 * mistake is reported on the field that has it.
 */
export const PollerConfigSchema = PollerConfigObject.refine(
  (config) => config.body === undefined || config.method === 'POST',
  { message: 'a body can only be sent with method POST', path: ['body'] },
)
  .refine((config) => config.jitterSeconds < config.intervalSeconds, {
    message: 'must be smaller than intervalSeconds',
    path: ['jitterSeconds'],
  })
  .superRefine((config, ctx) => {
    if (config.url === undefined && config.sql === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'required: set url to poll an HTTP API, or sql to poll a PostgreSQL query',
      });
    } else if (config.url !== undefined && config.sql !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sql'],
        message: 'cannot be combined with url: a source polls either an HTTP API or a database',
      });
    } else if (config.sql !== undefined) {
      for (const field of HTTP_ONLY_FIELDS.filter((name) => isSet(config, name))) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'only applies to HTTP sources (with url), not to sql',
        });
      }
    } else {
      if (config.itemKey === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['itemKey'],
          message: 'required: an expression giving an item\'s stable key, like "item.id"',
        });
      }
      if (config.cursor && !config.cursor.param && !mentionsCursor(config)) {
        ctx.addIssue({
          code: 'custom',
          path: ['cursor'],
          message: `is never sent: set cursor.param, or write ${CURSOR_PLACEHOLDER} in a query value or in the body`,
        });
      }
    }
  });
export type PollerConfig = z.infer<typeof PollerConfigSchema>;
/** A poller config of an HTTP source. */
export type HttpPollerConfig = PollerConfig & { url: string; itemKey: string; sql?: undefined };
/** A poller config of a SQL source. */
export type SqlPollerConfig = PollerConfig & { sql: SqlPoll; url?: undefined };

export function isSqlPollerConfig(config: PollerConfig): config is SqlPollerConfig {
  return config.sql !== undefined;
}

/** The config as an HTTP source's; throws for a SQL source, which validation keeps apart. */
export function asHttpPollerConfig(config: PollerConfig): HttpPollerConfig {
  if (config.url === undefined || config.itemKey === undefined) {
    throw new Error('not an HTTP poller config: url and itemKey are required');
  }
  return config as HttpPollerConfig;
}
