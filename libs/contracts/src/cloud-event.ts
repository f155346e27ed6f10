import { z } from 'zod';
import { IsoDateTimeSchema, TraceparentSchema } from './primitives';
import { PROVIDERS } from './registry/lookups';
import type { Provider } from './registry/source-kinds';
import { requiredOr, strictObject } from './strict';

/** What published an event (see `PROVIDERS` in the source kinds registry). */
export const ProviderSchema = z.enum(PROVIDERS as [Provider, ...Provider[]], {
  error: requiredOr(`must be one of: ${PROVIDERS.join(', ')}`),
});

/**
 * A CloudEvents 1.0 event with Flint's extension attributes. Extension names follow the CloudEvents
 * naming rule (lower-case letters and digits only) so they map to `ce_<name>` Kafka headers unchanged.
 */
export const CloudEventSchema = strictObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(512),
  source: z.string().min(1).max(2048),
  type: z.string().min(1).max(512),
  subject: z.string().max(2048).optional(),
  time: IsoDateTimeSchema,
  datacontenttype: z.string().max(256).optional(),
  dataschema: z.string().max(2048).optional(),
  /** Optional as in CloudEvents: an event may carry no data. */
  data: z.unknown().optional(),
  /** Id of the Flint source that produced the event; the Kafka key, so one source stays ordered. */
  flintsourceid: z.string().min(1).max(253),
  flintprovider: ProviderSchema,
  /** When Flint accepted the event from the outside world; the start of the latency metric. */
  flintacceptedat: IsoDateTimeSchema,
  /** The owner (team) of the API key that emitted a custom event through `POST /api/events`. */
  flintowner: z.string().min(1).max(253).optional(),
  /** W3C trace context of the span that accepted the event. */
  traceparent: TraceparentSchema.optional(),
});

export type CloudEvent = z.infer<typeof CloudEventSchema>;

/** The context attributes of a CloudEvent, every attribute except `data`. */
export type CloudEventAttributes = Omit<CloudEvent, 'data'>;
