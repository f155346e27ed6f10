import { z } from 'zod';
import { IsoDateTimeSchema } from '../primitives';
import { CursorSchema, pageSchema, PageLimitSchema } from './common';

const filterFields = {
  reason: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Only this reason: undecodable, invalid, processing-failed, too-large.'),
  sourceTopic: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe(
      'Only dead letters read from this topic (or, from a subscriber source, of this kind).',
    ),
  sourceId: z.string().min(1).max(256).optional().describe('Only those of this Flint source.'),
  since: IsoDateTimeSchema.optional().describe('Only those that failed from this moment on.'),
  until: IsoDateTimeSchema.optional().describe('Only those that failed before this moment.'),
};

const ResentQuerySchema = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((value) => value === 'true')
  .optional()
  .describe('Only those re-sent before (true) or never re-sent (false).');

/** `GET /api/dead-letters`: newest first. */
export const DeadLetterListQuerySchema = z
  .object({
    ...filterFields,
    resent: ResentQuerySchema,
    limit: PageLimitSchema,
    cursor: CursorSchema.optional(),
  })
  .strict();
export type DeadLetterListQuery = z.infer<typeof DeadLetterListQuerySchema>;

export const DeadLetterIdParamsSchema = z.object({
  id: z.string().regex(/^[1-9]\d{0,17}$/, 'must be a dead letter id (a whole number)'),
});

export const MAX_RESEND_BATCH = 1000;

/** `POST /api/dead-letters/resend` and `/purge`: which ones; every one when the body is empty. */
export const DeadLetterSelectionSchema = z
  .object({
    ...filterFields,
    resent: z.boolean().optional().describe('Only those re-sent before, or never re-sent.'),
  })
  .strict();
export type DeadLetterSelection = z.infer<typeof DeadLetterSelectionSchema>;

export const DeadLetterResendRequestSchema = DeadLetterSelectionSchema.extend({
  limit: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_RESEND_BATCH, `must be at most ${MAX_RESEND_BATCH}`)
    .optional()
    .describe(
      `Most to re-send in this call, newest first (default and at most ${MAX_RESEND_BATCH}).`,
    ),
}).strict();
export type DeadLetterResendRequest = z.infer<typeof DeadLetterResendRequestSchema>;

/** One dead letter in a listing. */
export const DeadLetterSummarySchema = z.object({
  id: z.string().describe('The index’s id: newer dead letters have higher ones.'),
  reason: z.string().describe('undecodable, invalid, processing-failed or too-large.'),
  error: z.string().optional().describe('What exactly was wrong.'),
  sourceTopic: z.string(),
  sourcePartition: z.number().int().optional(),
  sourceOffset: z.string().optional(),
  sourceId: z.string().optional(),
  origin: z.string().optional().describe('Where upstream a subscriber source’s message was.'),
  failedAt: IsoDateTimeSchema,
  key: z.string().nullable().describe('The original Kafka key (for a run request, its run id).'),
  dlq: z
    .object({ partition: z.number().int(), offset: z.string() })
    .describe('Where on the dead-letter topic it is.'),
  resendable: z
    .boolean()
    .describe('True when it came from the events or runs topic, so it can be re-sent there.'),
  resentAt: IsoDateTimeSchema.optional(),
  resendCount: z.number().int(),
});
export type DeadLetterSummary = z.infer<typeof DeadLetterSummarySchema>;

export const DeadLetterPageSchema = pageSchema(DeadLetterSummarySchema);
export type DeadLetterPage = z.infer<typeof DeadLetterPageSchema>;

/** `GET /api/dead-letters/{id}`: with the original message. */
export const DeadLetterDetailSchema = DeadLetterSummarySchema.extend({
  headers: z.record(z.string(), z.string()).describe('The original headers.'),
  value: z.string().nullable().describe('The original value: text, or base64 (`valueEncoding`).'),
  valueEncoding: z.enum(['utf8', 'base64']),
});
export type DeadLetterDetail = z.infer<typeof DeadLetterDetailSchema>;

export const ResentDeadLetterSchema = z.object({
  id: z.string(),
  topic: z.string().describe('Where it was re-sent.'),
  runId: z
    .string()
    .optional()
    .describe(
      'For a run request whose run had been claimed: the new run, linked to the failed one by ' +
        '`rerunOf`. The same every time this dead letter is re-sent, so it starts once.',
    ),
});

export const DeadLetterResendResultSchema = z.object({
  resent: z.array(ResentDeadLetterSchema),
  notResendable: z
    .array(z.object({ id: z.string(), why: z.string() }))
    .describe('Matching dead letters that cannot go back where they came from.'),
  more: z.boolean().describe('More matched than `limit`: call again for the rest.'),
});
export type DeadLetterResendResult = z.infer<typeof DeadLetterResendResultSchema>;

export const DeadLetterPurgeResultSchema = z.object({
  purged: z.number().int().describe('How many dead letters were purged.'),
});
export type DeadLetterPurgeResult = z.infer<typeof DeadLetterPurgeResultSchema>;
