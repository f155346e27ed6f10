import type { MqttConfig } from '@flint/contracts';
import type { IClientOptions, IPublishPacket } from 'mqtt';
import type { Delivery } from '../subscription/delivery';
import { holdConnection } from '../subscription/held-connection';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

type Session = StreamSession<'mqtt', MqttConfig>;

/**
 * MQTT topic filters, QoS 1, in a persistent session: the broker keeps what is published while the
 * subscriber is away and delivers it once the session is back. A message's PUBACK is sent only after
 * its event is in Flint's Kafka (mqtt.js acknowledges when `handleMessage` calls back, and takes the
 * next message only then: back-pressure); a message not acknowledged when the connection dies is
 * delivered again. The session is one client id, so one replica holds it (exclusive). MQTT has no
 * message id that survives redelivery, so the event id is the configured one or the content hash.
 */
export class MqttKind implements StreamKind<'mqtt', MqttConfig> {
  readonly kind = 'mqtt';
  readonly exclusive = true;

  validate(config: MqttConfig): MqttConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { config, signal } = session.ctx;
    // Loaded when a source of this kind starts, not with the service: the upstream clients weigh
    // 10–30 MB each and most stacks use one kind or none.
    const { connect } = await import('mqtt');
    // The handler is in place before the connection exists: a resumed session's messages arrive right
    // after CONNACK, and mqtt.js's default handler would acknowledge them unseen.
    const client = connect(config.url, await clientOptions(session));
    await holdConnection(
      signal,
      async ({ ended, fail }) => {
        client.on('error', fail);
        client.on('close', () => fail(new Error('the connection to the MQTT broker closed')));
        client.handleMessage = (packet, callback) => {
          session
            .deliver([deliveryOf(packet)])
            .then(() => callback())
            // No PUBACK: the connection is dropped and the broker delivers the message again.
            .catch(fail);
        };
        await Promise.race([new Promise((resolve) => client.once('connect', resolve)), ended]);
        const granted = await client.subscribeAsync(config.topics, { qos: 1 });
        const refused = granted.filter((grant) => grant.qos !== 1 && grant.qos !== 2);
        if (refused.length > 0) {
          throw new Error(
            `the broker refused the subscription to ${refused.map((grant) => grant.topic).join(', ')}`,
          );
        }
        session.connected();
        await ended;
      },
      () => client.endAsync(true),
    );
  }
}

async function clientOptions(session: Session): Promise<IClientOptions> {
  const { config, source, secrets } = session.ctx;
  return {
    clientId: config.clientId ?? `flint-${source.id}`,
    protocolVersion: config.protocolVersion,
    clean: false,
    ...(config.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: config.sessionExpirySeconds } }
      : {}),
    // The subscriber reconnects with its own backoff and reports it.
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: await secrets.resolve(config.password.secretRef) } : {}),
  };
}

function deliveryOf(packet: IPublishPacket): Delivery {
  const headers: Record<string, string> = {};
  const properties = packet.properties;
  for (const [name, value] of Object.entries(properties?.userProperties ?? {})) {
    headers[name] = Array.isArray(value) ? value[0] : value;
  }
  if (properties?.contentType) headers['content-type'] = properties.contentType;
  const body =
    typeof packet.payload === 'string' ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
  return {
    body,
    headers,
    subject: packet.topic,
    origin: `${packet.topic}${packet.messageId === undefined ? '' : ` #${packet.messageId}`}`,
  };
}
