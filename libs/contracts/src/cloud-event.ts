import { z } from 'zod';

/** Providers that publish events; `api` is custom events posted to the REST API, `runner` run-status events. */
export const PROVIDERS = ['webhook', 'poller', 'cron', 'file', 'api', 'runner'] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

/**
 * A CloudEvents 1.0 event with Flint's extension attributes. Extension names follow the CloudEvents
 * naming rule (lower-case letters and digits only) so they map to `ce_<name>` Kafka headers unchanged.
 */
export const CloudEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().min(1).max(512),
    source: z.string().min(1).max(2048),
    type: z.string().min(1).max(512),
    subject: z.string().max(2048).optional(),
    time: z.iso.datetime({ offset: true }),
    datacontenttype: z.string().max(256).optional(),
    dataschema: z.string().max(2048).optional(),
    data: z.unknown(),
    /** Id of the Flint source that produced the event; the Kafka key, so one source stays ordered. */
    flintsourceid: z.string().min(1).max(253),
    flintprovider: ProviderSchema,
    /** When Flint accepted the event from the outside world; the start of the latency metric. */
    flintacceptedat: z.iso.datetime({ offset: true }),
    /** W3C trace context of the span that accepted the event. */
    traceparent: z
      .string()
      .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent')
      .optional(),
  })
  .strict();

export type CloudEvent = z.infer<typeof CloudEventSchema>;

/** The context attributes of a CloudEvent, every attribute except `data`. */
export type CloudEventAttributes = Omit<CloudEvent, 'data'>;
