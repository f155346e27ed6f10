import { connect, type JetStreamManager, type NatsConnection, StringCodec } from 'nats';
import { uniqueName, waitFor } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

const NATS_PORT = 4222;
const text = StringCodec();

/** NATS sources against the NATS server (with JetStream) of this machine, a stream of their own each. */
describe('subscriber: NATS sources', () => {
  const bed = new SubscriberBed('sub-nats');
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const streams: string[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: `nats://127.0.0.1:${NATS_PORT}` });
    jsm = await nc.jetstreamManager();
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  /** A stream of its own over `<prefix>.>`. */
  async function newStream(): Promise<{ stream: string; subject: string }> {
    const stream = uniqueName('FLINT_TEST').replace(/-/g, '_');
    const subject = `${stream.toLowerCase()}.orders`;
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
    streams.push(stream);
    return { stream, subject };
  }

  function natsSource(id: string, subject: string, stream?: string, port = NATS_PORT) {
    return {
      id,
      provider: 'nats',
      config: {
        servers: [`nats://127.0.0.1:${port}`],
        subject: stream ? `${subject}.>` : subject,
        ...(stream ? { jetstream: { stream, startFrom: 'earliest', ackWaitMs: 2000 } } : {}),
        type: 'com.example.order',
      },
    };
  }

  async function publish(subject: string, body: string): Promise<number> {
    const ack = await nc.jetstream().publish(subject, text.encode(body));
    return ack.seq;
  }

  async function pendingAcks(stream: string, durable: string): Promise<number> {
    const info = await jsm.consumers.info(stream, durable);
    return info.num_ack_pending + info.num_pending;
  }

  it('JetStream: starts a run per message and acknowledges it', async () => {
    const { stream, subject } = await newStream();
    const sourceId = uniqueName('js-orders');
    const triggerId = await bed.define(natsSource(sourceId, subject, stream));
    const seq = await publish(`${subject}.created`, JSON.stringify({ order: 1 }));
    await publish(`${subject}.paid`, JSON.stringify({ order: 1, paid: true }));
    await bed.startSubscriber();

    const runs = await bed.waitForSucceededRuns(triggerId, 2, 'two succeeded runs');
    expect(runs.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { eventId: `${stream}/${seq}`, type: 'com.example.order', data: { order: 1 } },
        expect.objectContaining({ data: { order: 1, paid: true } }),
      ]),
    );
    await waitFor(async () => (await pendingAcks(stream, `flint-${sourceId}`)) === 0, {
      description: 'every message acknowledged',
    });
    await bed.waitForConnection(sourceId, 'up', { withEvent: true });
  });

  it('JetStream: a bad message goes to flint.dlq and is acknowledged, the next one flows', async () => {
    const { stream, subject } = await newStream();
    const sourceId = uniqueName('js-bad-orders');
    const triggerId = await bed.define(natsSource(sourceId, subject, stream));
    const bad = await publish(`${subject}.created`, 'not json at all');
    await publish(`${subject}.created`, JSON.stringify({ order: 2 }));
    await bed.startSubscriber();

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('not json at all');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'nats',
      flint_dlq_origin: `${stream} #${bad}`,
    });
    await bed.waitForSucceededRuns(triggerId, 1, 'the good message after the bad one');
    await waitFor(async () => (await pendingAcks(stream, `flint-${sourceId}`)) === 0, {
      description: 'the bad message acknowledged too',
    });
  });

  it('JetStream: loses nothing and starts one run when killed -9 between Kafka ack and ack', async () => {
    const { stream, subject } = await newStream();
    const sourceId = uniqueName('js-crash-orders');
    const triggerId = await bed.define(natsSource(sourceId, subject, stream));
    const seq = await publish(`${subject}.created`, JSON.stringify({ order: 3 }));

    const [event] = await bed.expectOneRunAfterKill('nats', sourceId, triggerId);
    expect(event.id).toBe(`${stream}/${seq}`);
    await waitFor(async () => (await pendingAcks(stream, `flint-${sourceId}`)) === 0, {
      description: 'the redelivered message acknowledged',
    });
  });

  it('JetStream: reconnects after the connection drops and gets what was published meanwhile', async () => {
    const { stream, subject } = await newStream();
    await bed.expectResumeAfterDrop(
      NATS_PORT,
      async (port) => {
        const sourceId = uniqueName('js-dropped-orders');
        const triggerId = await bed.define(natsSource(sourceId, subject, stream, port));
        return { sourceId, triggerId };
      },
      () => publish(`${subject}.created`, JSON.stringify({ order: 'while-down' })),
    );
  });

  it('plain NATS: a message on the subject starts a run (at most once)', async () => {
    const subject = `${uniqueName('flint.test').replace(/-/g, '_')}.pings`;
    const sourceId = uniqueName('core-pings');
    const triggerId = await bed.define(natsSource(sourceId, subject));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    nc.publish(subject, text.encode(JSON.stringify({ ping: 1 })));

    const [run] = await bed.waitForSucceededRuns(triggerId, 1, 'the ping started a run');
    expect(run.input).toMatchObject({ data: { ping: 1 } });
  });
});
