import { z } from 'zod';
import { IsoDateTimeSchema, TraceparentSchema } from './primitives';
import { requiredOr } from './strict';

/**
 * What published an event: a source kind or a service of the registry (`PROVIDERS`). Open rather than
 * an enum, so events of a newer Flint (with a kind this one does not know) are still read, not
 * dead-lettered; routing never depends on it.
 */
export const ProviderSchema = z
  .string({ error: requiredOr('must be a provider name like "webhook"') })
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a provider name like "webhook"');

/** CloudEvents attribute names: lower-case letters and digits, so they map to `ce_<name>` headers. */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

/**
 * A CloudEvents 1.0 event with Flint's extension attributes. Other extensions (those of foreign
 * producers, such as `partitionkey` or `dataref`) are kept as they are: strings, numbers or booleans
 * under a CloudEvents attribute name.
 */
const KnownAttributesSchema = z.object({
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

export const CloudEventSchema = KnownAttributesSchema.catchall(
  z.union([z.string().max(4096), z.number(), z.boolean()]),
).superRefine((event, ctx) => {
  for (const name of Object.keys(event)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'not a CloudEvents attribute name: use 1 to 20 lower-case letters or digits',
      });
    }
  }
});

/**
 * A CloudEvent: the attributes Flint knows, typed, and any other extension (the schema holds them to
 * CloudEvents names and scalar values).
 */
export type CloudEvent = z.infer<typeof KnownAttributesSchema> & { [extension: string]: unknown };

/** The context attributes of a CloudEvent, every attribute except `data`. */
export type CloudEventAttributes = Omit<CloudEvent, 'data'>;
