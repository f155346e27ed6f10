import { z } from 'zod';
import { EventTypeSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';

/** Custom events, matched by CloudEvent type. */
export const EventConfigSchema = strictObject({
  types: z
    .array(EventTypeSchema)
    .min(1, 'must list at least one event type')
    .refine(hasNoDuplicates, 'must not repeat an event type'),
});
export type EventConfig = z.infer<typeof EventConfigSchema>;
