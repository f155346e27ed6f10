import { z } from 'zod';
import { HeadersSchema, HttpUrlSchema } from '../primitives';
import { discriminatorError, strictObject } from '../strict';

const JsonPathSchema = z
  .string()
  .max(1024, 'must be at most 1024 characters')
  .regex(/^\$/, 'must be a JSONPath starting with "$" (like "$.items")');

const QueryParamSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

export const POLLER_CURSOR_KINDS = ['max-field', 'next-page-token'] as const;

/** How the poller remembers how far it got, so a restart does not emit old items again. */
export const PollerCursorSchema = z.discriminatedUnion(
  'from',
  [
    strictObject({
      from: z.literal('max-field'),
      /** Expression on one item whose largest value seen is the cursor, e.g. `item.updated_at`. */
      field: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
      /** Query parameter the cursor is sent in. */
      param: QueryParamSchema,
    }),
    strictObject({
      from: z.literal('next-page-token'),
      /** JSONPath of the next page's token in the response. */
      path: JsonPathSchema,
      param: QueryParamSchema,
    }),
  ],
  { error: discriminatorError('from', 'cursor kind', POLLER_CURSOR_KINDS) },
);

export const PollerConfigSchema = strictObject({
  url: HttpUrlSchema,
  method: z.enum(['GET', 'POST'], { error: 'must be GET or POST' }).default('GET'),
  headers: HeadersSchema.default({}),
  /** JSON body sent with POST. */
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
  });
export type PollerConfig = z.infer<typeof PollerConfigSchema>;
