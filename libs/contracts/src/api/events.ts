import { z } from 'zod';
import { EventTypeSchema, isReservedEventType, OwnerSchema } from '../primitives';

/**
 * `POST /api/events`: a custom event, published to the events topic so every trigger of its owner
 * listening to its type (an `event` source or `eventTypes`) fires. An `id` sent twice is one event to
 * the evaluator's dedupe.
 */
export const EmitEventRequestSchema = z
  .object({
    type: EventTypeSchema.refine(
      (type) => !isReservedEventType(type),
      'types starting with "flint." are reserved for the events Flint\'s own services publish',
    ).describe('The CloudEvent type, like "com.example.order.created".'),
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
    owner: OwnerSchema.optional().describe(
      'The owner the event belongs to (`flintowner`): only triggers of this owner see it. ' +
        'Defaults to the key\'s owner ("default" for an admin key); only an admin may name another.',
    ),
  })
  .strict();
export type EmitEventRequest = z.infer<typeof EmitEventRequestSchema>;

export const EmitEventResponseSchema = z.object({
  eventId: z.string().describe('The id of the published event.'),
});
export type EmitEventResponse = z.infer<typeof EmitEventResponseSchema>;
