import { z } from 'zod';
import { EventTypeSchema, HeaderNameSchema, SecretNameSchema } from '../primitives';
import { strictObject } from '../strict';

/*
 * What every stream and push source (the kinds the subscriber service runs) says about the messages
 * it takes: how to read a payload that is not already a CloudEvent, which CloudEvent type to give it,
 * where its stable id is, and how large a message may be.
 */

export const STREAM_FORMATS = ['json', 'text', 'bytes'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

/** The largest message a stream source takes; larger ones go to flint.dlq (`too-large`). */
export const MAX_STREAM_MESSAGE_BYTES = 1024 * 1024;

/** Where a message's own id is, so a redelivered message keeps its event id. */
export const StreamEventIdSchema = strictObject({
  /** A header (Kafka, NATS), property (AMQP), user property (MQTT 5) or field (Redis) that holds it. */
  header: HeaderNameSchema.optional(),
  /** Dotted path into a JSON payload, e.g. `id` or `data.object.id`. */
  field: z
    .string()
    .regex(
      /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/,
      'must be a dotted path into the payload like "data.id"',
    )
    .optional(),
}).refine((id) => (id.header === undefined) !== (id.field === undefined), {
  message: 'name exactly one of header or field',
});
export type StreamEventId = z.infer<typeof StreamEventIdSchema>;

/** The message settings of a stream source, spread into each kind's config. */
export function streamMessageFields(defaultType: string) {
  return {
    /**
     * How to read a payload that is not a CloudEvent: `json` (anything else is a bad message, sent
     * to flint.dlq), `text` (UTF-8) or `bytes` (kept as they are). CloudEvents — structured mode, or
     * binary mode with `ce_`/`ce-` headers — are always taken as they are.
     */
    format: z
      .enum(STREAM_FORMATS, { error: `must be one of: ${STREAM_FORMATS.join(', ')}` })
      .default('json'),
    /** The CloudEvent type of a message that is not a CloudEvent itself. */
    type: EventTypeSchema.default(defaultType),
    /** Where the message's id is; by default the protocol's own identity, else a content hash. */
    eventId: StreamEventIdSchema.optional(),
    /** Messages larger than this go to flint.dlq with reason `too-large`. */
    maxMessageBytes: z
      .number()
      .int('must be a whole number of bytes')
      .min(1, 'must be at least 1')
      .max(MAX_STREAM_MESSAGE_BYTES, `must be at most ${MAX_STREAM_MESSAGE_BYTES} (1 MiB)`)
      .default(256 * 1024),
  };
}

/** A credential taken from a stored secret, never written into the definition. */
export const StreamSecretSchema = strictObject({ secretRef: SecretNameSchema });
