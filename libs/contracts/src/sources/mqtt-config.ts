import { z } from 'zod';
import { SecretRefSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_MQTT_EVENT_TYPE = 'flint.mqtt.message';

/**
 * MQTT 3.1.1 or 5 topic filters, subscribed with QoS 1 in a persistent session (a fixed client id, no
 * clean start), so messages published while Flint is away wait at the broker. Each message's PUBACK is
 * sent only after Flint's event is acknowledged. One replica holds the session at a time.
 */
export const MqttConfigSchema = strictObject({
  /** `mqtt://host:port` or `mqtts://host:port` (TLS), no credentials in it. */
  url: z
    .string()
    .regex(
      /^mqtts?:\/\/[^\s/@:]+(?::\d{1,5})?$/,
      'must be mqtt://host[:port] or mqtts://host[:port]',
    ),
  username: z.string().min(1).max(256).optional(),
  password: SecretRefSchema.optional(),
  /** Topic filters; `+` and `#` wildcards allowed. */
  topics: z
    .array(
      z
        .string()
        .min(1)
        .max(1024)
        .refine((filter) => !filter.includes('\u0000'), 'must be an MQTT topic filter'),
    )
    .min(1, 'must list at least one topic filter')
    .max(100)
    .refine(hasNoDuplicates, 'must not repeat a topic filter'),
  /** The session's client id; default `flint-<source id>`. Keep it stable: the session is keyed by it. */
  clientId: z.string().min(1).max(128).optional(),
  protocolVersion: z
    .union([z.literal(4), z.literal(5)], { error: 'must be 4 (MQTT 3.1.1) or 5 (MQTT 5)' })
    .default(5),
  /** MQTT 5: how long the broker keeps the session (and its messages) while Flint is away. */
  sessionExpirySeconds: z
    .number()
    .int()
    .min(60)
    .max(4_294_967_295)
    .default(7 * 86_400),
  ...streamMessageFields(DEFAULT_MQTT_EVENT_TYPE),
}).refine((config) => config.password === undefined || config.username !== undefined, {
  message: 'a password needs a username',
  path: ['password'],
});
export type MqttConfig = z.infer<typeof MqttConfigSchema>;
