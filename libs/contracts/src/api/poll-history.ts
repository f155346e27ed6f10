import { z } from 'zod';
import { IsoDateTimeSchema } from '../primitives';
import { limitQuerySchema } from './common';

/** The most polls the history keeps per source, and returns at once. */
export const MAX_POLL_HISTORY = 100;

/** `GET /api/sources/{id}/history`. */
export const PollHistoryQuerySchema = z
  .object({ limit: limitQuerySchema(MAX_POLL_HISTORY, 20, 'Polls to return') })
  .strict();

export const PollSchema = z.object({
  polledAt: IsoDateTimeSchema,
  durationMs: z.number().int(),
  outcome: z
    .enum(['fired', 'not-fired', 'failed'])
    .describe(
      '`fired`: the poll emitted events; `not-fired`: it found nothing (or only contexts whose run is still going); `failed`: it threw, timed out, ran out of memory or returned something invalid.',
    ),
  fired: z.number().int().describe('Events the poll emitted.'),
  skipped: z
    .number()
    .int()
    .describe(
      'Contexts left out because the run they started is still going (allowConcurrent: false).',
    ),
  error: z
    .object({ type: z.string(), message: z.string() })
    .optional()
    .describe(
      'Why a failed poll failed: the function’s error class, TimeoutError or OutOfMemoryError.',
    ),
});
export type Poll = z.infer<typeof PollSchema>;

export const PollHistorySchema = z.object({
  sourceId: z.string(),
  items: z.array(PollSchema).describe(`Newest first; the last ${MAX_POLL_HISTORY} polls are kept.`),
});
export type PollHistory = z.infer<typeof PollHistorySchema>;
