import { z } from 'zod';
import { EventTypeSchema, HeadersSchema, HttpUrlSchema } from '../primitives';
import { discriminatorError, strictObject } from '../strict';

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

export const PollerConfigSchema = strictObject({
  url: HttpUrlSchema,
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
  /** Expression giving an item's stable key, its event id, e.g. `item.id`. */
  itemKey: z.string().regex(/\S/, 'must be a non-empty expression like "item.id"').max(1024),
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
  timeoutMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100')
    .max(300_000, 'must be at most 300000 (5 minutes)')
    .default(10_000),
})
  .refine((config) => config.body === undefined || config.method === 'POST', {
    message: 'a body can only be sent with method POST',
    path: ['body'],
  })
  .refine((config) => config.jitterSeconds < config.intervalSeconds, {
    message: 'must be smaller than intervalSeconds',
    path: ['jitterSeconds'],
  })
  .refine((config) => !config.cursor || config.cursor.param || mentionsCursor(config), {
    message: `is never sent: set cursor.param, or write ${CURSOR_PLACEHOLDER} in a query value or in the body`,
    path: ['cursor'],
  });
export type PollerConfig = z.infer<typeof PollerConfigSchema>;
