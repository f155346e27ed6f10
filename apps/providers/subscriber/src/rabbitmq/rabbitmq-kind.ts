import type { RabbitMqConfig } from '@flint/contracts';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Delivery } from '../subscription/delivery';
import { holdConnection } from '../subscription/held-connection';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

type Session = StreamSession<'rabbitmq', RabbitMqConfig>;

/**
 * A RabbitMQ queue, consumed with manual acknowledgements. The prefetch limit bounds the messages in
 * hand (the broker sends no more until some are acknowledged): that is the back-pressure. A message is
 * acknowledged only after its event is in Flint's Kafka; one in hand when the connection dies (a
 * crash, a dropped link) is requeued by the broker and delivered again. A bad message is rejected
 * without requeueing after it is in flint.dlq, so it goes to the queue's dead-letter exchange if it
 * has one. Replicas are competing consumers of the queue.
 */
export class RabbitMqKind implements StreamKind<'rabbitmq', RabbitMqConfig> {
  readonly kind = 'rabbitmq';

  validate(config: RabbitMqConfig): RabbitMqConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { config, signal, source } = session.ctx;
    // Loaded when a source of this kind starts, not with the service: the upstream clients weigh
    // 10–30 MB each and most stacks use one kind or none.
    const { connect } = await import('amqplib');
    const connection = await connect(await connectionUrl(session), {
      clientProperties: { connection_name: `flint-${source.id}` },
      timeout: 10_000,
    });
    await holdConnection(
      signal,
      async ({ ended, fail }) => {
        connection.on('error', () => undefined);
        connection.on('close', (err?: Error) =>
          fail(err ?? new Error('the connection to RabbitMQ closed')),
        );
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        channel.on('close', () => fail(new Error('the RabbitMQ channel closed')));
        await prepareQueue(channel, config);
        await channel.prefetch(config.prefetch);
        await channel.consume(
          config.queue,
          (message) => {
            if (message === null) {
              fail(new Error(`the queue ${config.queue} was deleted or the consumer cancelled`));
              return;
            }
            handle(session, channel, message).catch(fail);
          },
          { noAck: false },
        );
        session.connected();
        await ended;
      },
      () => connection.close(),
    );
  }
}

async function handle(session: Session, channel: Channel, message: ConsumeMessage) {
  const [outcome] = await session.deliver([deliveryOf(session.ctx.config.queue, message)]);
  if (outcome === 'dead-lettered') channel.nack(message, false, false);
  else channel.ack(message);
}

async function connectionUrl(session: Session): Promise<string> {
  const { config, secrets } = session.ctx;
  if (config.username === undefined) return config.url;
  const url = new URL(config.url);
  url.username = encodeURIComponent(config.username);
  if (config.password)
    url.password = encodeURIComponent(await secrets.resolve(config.password.secretRef));
  return url.toString();
}

async function prepareQueue(channel: Channel, config: RabbitMqConfig): Promise<void> {
  if (config.declare === undefined) {
    await channel.checkQueue(config.queue);
    return;
  }
  const { deadLetterExchange, bindings } = config.declare;
  await channel.assertQueue(config.queue, {
    durable: true,
    ...(deadLetterExchange ? { deadLetterExchange } : {}),
  });
  for (const binding of bindings) {
    await channel.bindQueue(config.queue, binding.exchange, binding.routingKey);
  }
}

function deliveryOf(queue: string, message: ConsumeMessage): Delivery {
  const { properties, fields } = message;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  if (properties.contentType) headers['content-type'] = String(properties.contentType);
  const messageId = properties.messageId ? String(properties.messageId) : undefined;
  const timestamp = Number(properties.timestamp);
  return {
    body: message.content,
    headers,
    ...(messageId ? { identity: `${queue}/${messageId}` } : {}),
    subject: fields.routingKey,
    ...(Number.isFinite(timestamp) && timestamp > 0 ? { time: new Date(timestamp * 1000) } : {}),
    origin: `${queue} #${fields.deliveryTag}${messageId ? ` (${messageId})` : ''}`,
  };
}
