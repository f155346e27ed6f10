import { z } from 'zod';

/** Where inside an expression a problem is: 1-based line and column, 0-based offset. */
export const IssuePositionSchema = z.object({
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
});

/** One problem of a request, by path; `position` when it is inside a CEL expression. */
export const ApiIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
  position: IssuePositionSchema.optional().describe(
    'Where in the expression at `path` the problem is (CEL compile errors).',
  ),
});

/** Every API error body: a stable code, a message for people, and for invalid input each problem by path. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(ApiIssueSchema).optional(),
    /** On `version_conflict`: the version stored now, to fetch and retry from. */
    currentVersion: z.number().int().positive().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** A page of a listing ordered by a stable key; `nextCursor` is absent on the last page. */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` to get the next page; absent on the last page.'),
  });
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `limit` as a query parameter: a whole number from 1 to `max`, `fallback` when absent. */
export function limitQuerySchema(max: number, fallback: number, what: string) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(max, `must be at most ${max}`))
    .optional()
    .transform((limit) => limit ?? fallback)
    .describe(`${what}, 1 to ${max} (default ${fallback}).`);
}

/** `limit` as a query parameter: a whole number of items per page. */
export const PageLimitSchema = limitQuerySchema(
  MAX_PAGE_LIMIT,
  DEFAULT_PAGE_LIMIT,
  'Items per page',
);

export const CursorSchema = z
  .string()
  .min(1)
  .max(1024)
  .describe('The `nextCursor` of the previous page.');
