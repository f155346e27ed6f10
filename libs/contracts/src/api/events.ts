import { z } from 'zod';
import { EventTypeSchema } from '../primitives';

/**
 * `POST /api/events`: a custom event, published to the events topic so every trigger listening to
 * its type (an `event` source or `eventTypes`) fires. An `id` sent twice is one event to the
 * evaluator's dedupe.
 */
export const EmitEventRequestSchema = z
  .object({
    type: EventTypeSchema.describe('The CloudEvent type, like "com.example.order.created".'),
    source: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('The CloudEvent source (default "flint/api").'),
    id: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe('A stable id, so a retried call is recognised as the same event (default: new).'),
    subject: z.string().min(1).max(2048).optional(),
    data: z.unknown().optional().describe('Any JSON value.'),
  })
  .strict();
export type EmitEventRequest = z.infer<typeof EmitEventRequestSchema>;

export const EmitEventResponseSchema = z.object({
  eventId: z.string().describe('The id of the published event.'),
});
export type EmitEventResponse = z.infer<typeof EmitEventResponseSchema>;
