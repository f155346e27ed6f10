import type { NatsConfig } from '@flint/contracts';
import type {
  ConnectionOptions,
  Consumer,
  JetStreamManager,
  JsMsg,
  Msg,
  MsgHdrs,
  NatsConnection,
} from 'nats';
import type { Delivery } from '../subscription/delivery';
import { withinCleanUpTime } from '../subscription/held-connection';
import { InFlight } from '../subscription/in-flight';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

type Session = StreamSession<'nats', NatsConfig>;
type JetStreamSettings = NonNullable<NatsConfig['jetstream']>;

/** How often the JetStream consumer's pending count (the lag) is read. */
const LAG_EVERY_MS = 5000;

/**
 * NATS. With `jetstream`: a durable pull consumer with explicit acks, each message acknowledged only
 * after its event is in Flint's Kafka; one not acknowledged (the subscriber died) is delivered again
 * after `ackWaitMs`, with its stream sequence — its event id `<stream>/<sequence>` — unchanged.
 * Replicas share the durable consumer. Without it: plain NATS subjects through a queue group shared by
 * the replicas, at most once — NATS keeps nothing for a subscriber that is not connected.
 */
export class NatsKind implements StreamKind<'nats', NatsConfig> {
  readonly kind = 'nats';

  validate(config: NatsConfig): NatsConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { signal } = session.ctx;
    // Loaded when a source of this kind starts, not with the service: the upstream clients weigh
    // 10–30 MB each and most stacks use one kind or none.
    const { connect } = await import('nats');
    const nc = await connect(await connectionOptions(session));
    const closed = nc.closed().then((err) => {
      throw err ?? new Error('the connection to NATS closed');
    });
    closed.catch(() => undefined);
    const stop = () => void nc.close();
    signal.addEventListener('abort', stop, { once: true });
    // What the consumer leaves running (the JetStream pull loop and its heartbeat timer) must stop
    // with the connection, however it ended.
    const cleanUps: Array<() => Promise<void>> = [];
    try {
      const { jetstream } = session.ctx.config;
      const consuming = jetstream
        ? this.consumeJetStream(session, nc, jetstream, cleanUps)
        : this.consumeCore(session, nc);
      consuming.catch(() => undefined);
      await Promise.race([consuming, closed]);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      for (const cleanUp of cleanUps) await withinCleanUpTime(cleanUp());
      await nc.close().catch(() => undefined);
    }
  }

  private async consumeJetStream(
    session: Session,
    nc: NatsConnection,
    settings: JetStreamSettings,
    cleanUps: Array<() => Promise<void>>,
  ): Promise<void> {
    const { config, source, signal } = session.ctx;
    const durable = settings.durable ?? `flint-${source.id}`;
    const jsm = await nc.jetstreamManager();
    await ensureConsumer(jsm, settings, durable, config);
    const consumer = await nc.jetstream().consumers.get(settings.stream, durable);
    const messages = await consumer.consume({ max_messages: config.maxInFlight });
    cleanUps.push(() => messages.close().then(() => undefined));
    session.connected();
    const inFlight = new InFlight(config.maxInFlight);
    let lagAt = 0;
    for await (const message of messages) {
      if (signal.aborted) break;
      await inFlight.add(async () => {
        await session.deliver([jetStreamDelivery(settings.stream, message)]);
        await message.ackAck();
      });
      if (Date.now() - lagAt > LAG_EVERY_MS) {
        lagAt = Date.now();
        void reportLag(session, consumer);
      }
    }
    await inFlight.drain();
    if (!signal.aborted) throw new Error('the JetStream consumer stopped delivering');
  }

  private async consumeCore(session: Session, nc: NatsConnection): Promise<void> {
    const { config, source, signal } = session.ctx;
    const subscription = nc.subscribe(config.subject, { queue: `flint-${source.id}` });
    await nc.flush();
    session.connected();
    const inFlight = new InFlight(config.maxInFlight);
    for await (const message of subscription) {
      if (signal.aborted) break;
      await inFlight.add(async () => {
        await session.deliver([coreDelivery(message)]);
      });
    }
    await inFlight.drain();
    if (!signal.aborted) throw new Error('the NATS subscription ended');
  }
}

async function connectionOptions(session: Session): Promise<ConnectionOptions> {
  const { config, source, secrets } = session.ctx;
  return {
    servers: config.servers,
    name: `flint-${source.id}`,
    // The subscriber reconnects with its own backoff and reports it.
    reconnect: false,
    timeout: 10_000,
    ...(config.user ? { user: config.user } : {}),
    ...(config.password ? { pass: await secrets.resolve(config.password.secretRef) } : {}),
    ...(config.token ? { token: await secrets.resolve(config.token.secretRef) } : {}),
  };
}

/** Creates the durable consumer, or checks the one there reads the configured subject. */
async function ensureConsumer(
  jsm: JetStreamManager,
  settings: JetStreamSettings,
  durable: string,
  config: NatsConfig,
): Promise<void> {
  try {
    const existing = await jsm.consumers.info(settings.stream, durable);
    if (existing.config.filter_subject !== config.subject) {
      throw new Error(
        `the durable consumer ${durable} of stream ${settings.stream} reads ${existing.config.filter_subject ?? 'every subject'}, not ${config.subject}; delete it or name another durable`,
      );
    }
    return;
  } catch (err) {
    if (!/consumer not found/i.test(String((err as Error).message))) throw err;
  }
  const { AckPolicy, DeliverPolicy, nanos } = await import('nats');
  await jsm.consumers.add(settings.stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: settings.startFrom === 'earliest' ? DeliverPolicy.All : DeliverPolicy.New,
    filter_subject: config.subject,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: Math.max(config.maxInFlight * 4, 1000),
  });
}

async function reportLag(session: Session, consumer: Consumer): Promise<void> {
  try {
    const info = await consumer.info(true);
    session.lag(info.num_pending);
  } catch {
    // The lag is informative; the next reading tries again.
  }
}

function jetStreamDelivery(stream: string, message: JsMsg): Delivery {
  const sequence = message.info.streamSequence;
  return {
    body: Buffer.from(message.data),
    headers: headerStrings(message.headers),
    identity: `${stream}/${sequence}`,
    subject: message.subject,
    time: new Date(message.info.timestampNanos / 1e6),
    origin: `${stream} #${sequence}`,
  };
}

function coreDelivery(message: Msg): Delivery {
  const headers = headerStrings(message.headers);
  // A publisher's Nats-Msg-Id is the message's own identity; else the content hash decides.
  const identity = headers['Nats-Msg-Id'];
  return {
    body: Buffer.from(message.data),
    headers,
    ...(identity ? { identity: `${message.subject}/${identity}` } : {}),
    subject: message.subject,
    origin: message.subject,
  };
}

function headerStrings(headers: MsgHdrs | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  if (headers === undefined) return strings;
  for (const key of headers.keys()) strings[key] = headers.get(key);
  return strings;
}
