import { z } from 'zod';
import { IsoDateTimeSchema } from '../primitives';

/** Most slots one backfill fires: a longer range is split into several calls. */
export const MAX_BACKFILL_SLOTS = 1000;

/** `POST /api/sources/{id}/trigger-now`: what was fired. */
export const TriggerNowResponseSchema = z.object({
  sourceId: z.string(),
  eventId: z.string().describe('The event’s own id: `<source id>/manual/<uuid>`.'),
  firedAt: IsoDateTimeSchema,
});
export type TriggerNowResponse = z.infer<typeof TriggerNowResponseSchema>;

/** `POST /api/sources/{id}/backfill`: the slots from `from` to `to` (both included). */
export const BackfillRequestSchema = z
  .object({
    from: IsoDateTimeSchema.describe('The first moment of the range (a slot at it is included).'),
    to: IsoDateTimeSchema.describe('The last moment of the range (included); not in the future.'),
  })
  .strict()
  .refine((range) => Date.parse(range.from) <= Date.parse(range.to), {
    message: 'must not be before from',
    path: ['to'],
  });
export type BackfillRequest = z.infer<typeof BackfillRequestSchema>;

export const BackfillResponseSchema = z.object({
  sourceId: z.string(),
  fired: z
    .array(z.object({ slot: IsoDateTimeSchema, eventId: z.string() }))
    .describe('Slots fired now, oldest first; each event has the id the schedule gives its slot.'),
  alreadyFired: z
    .array(IsoDateTimeSchema)
    .describe('Slots of the range the schedule (or an earlier backfill) had fired: left alone.'),
});
export type BackfillResponse = z.infer<typeof BackfillResponseSchema>;
