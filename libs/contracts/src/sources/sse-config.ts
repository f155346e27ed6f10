import { z } from 'zod';
import { EventTypeSchema, HeadersSchema, HttpUrlSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_SSE_EVENT_TYPE = 'flint.sse.message';

/**
 * A Server-Sent Events stream: each event a Flint event, its SSE `event:` name its type. The id of the
 * last event Flint published is kept in provider state and sent as `Last-Event-ID` on every reconnect
 * and after a restart, so a server that supports it resumes where Flint stopped. One replica reads
 * the stream.
 */
export const SseConfigSchema = strictObject({
  url: HttpUrlSchema,
  /** Request headers; values literal or `{ secretRef }` (an Authorization token). */
  headers: HeadersSchema.default({}),
  /** Only events of these SSE `event:` names (`message` for events without one); default all. */
  events: z
    .array(EventTypeSchema)
    .min(1)
    .max(100)
    .refine(hasNoDuplicates, 'must not repeat an event name')
    .optional(),
  ...streamMessageFields(DEFAULT_SSE_EVENT_TYPE),
});
export type SseConfig = z.infer<typeof SseConfigSchema>;
