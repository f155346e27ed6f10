import { type Channel, type ChannelModel, connect } from 'amqplib';
import { uniqueName, waitFor } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

const AMQP_PORT = 5672;

/** RabbitMQ sources against the RabbitMQ server of this machine, queues of their own per test. */
describe('subscriber: RabbitMQ sources', () => {
  const bed = new SubscriberBed('sub-rabbit');
  let connection: ChannelModel;
  let channel: Channel;
  const queues: string[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    connection = await connect(`amqp://guest:guest@127.0.0.1:${AMQP_PORT}`);
    channel = await connection.createChannel();
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => undefined);
    for (const exchange of exchanges) await channel.deleteExchange(exchange).catch(() => undefined);
    await connection.close();
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  /** A queue the source declares, bound to an exchange of its own, dead-lettering to another queue. */
  async function newQueue(): Promise<{ queue: string; exchange: string; deadLetters: string }> {
    const queue = uniqueName('flint-test-orders');
    const exchange = uniqueName('flint-test-shop');
    const deadLetterExchange = uniqueName('flint-test-dlx');
    const deadLetters = `${queue}.dead`;
    await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    await channel.assertExchange(deadLetterExchange, 'fanout', { durable: false });
    await channel.assertQueue(deadLetters, { durable: false });
    await channel.bindQueue(deadLetters, deadLetterExchange, '');
    await channel.assertQueue(queue, { durable: true, deadLetterExchange });
    queues.push(queue, deadLetters);
    exchanges.push(exchange, deadLetterExchange);
    return { queue, exchange, deadLetters };
  }

  function rabbitSource(id: string, queue: string, port = AMQP_PORT) {
    return {
      id,
      provider: 'rabbitmq',
      config: {
        url: `amqp://127.0.0.1:${port}`,
        username: 'guest',
        password: { secretRef: 'rabbitmq-password' },
        queue,
        type: 'com.example.order',
      },
    };
  }

  function publish(queue: string, body: string, messageId?: string): void {
    channel.sendToQueue(queue, Buffer.from(body), {
      persistent: true,
      contentType: 'application/json',
      ...(messageId ? { messageId } : {}),
    });
  }

  async function messagesIn(queue: string): Promise<{ ready: number; consumers: number }> {
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    return { ready: messageCount, consumers: consumerCount };
  }

  beforeAll(() => {
    process.env.FLINT_SECRET_RABBITMQ_PASSWORD = 'guest';
  });

  it('starts a run per message, its id the AMQP message id, and acknowledges it', async () => {
    const { queue } = await newQueue();
    const sourceId = uniqueName('rabbit-orders');
    const triggerId = await bed.define(rabbitSource(sourceId, queue));
    publish(queue, JSON.stringify({ order: 1 }), 'order-1');
    publish(queue, JSON.stringify({ order: 2 }));
    await bed.startSubscriber();

    const runs = await bed.waitForSucceededRuns(triggerId, 2, 'two succeeded runs');
    expect(runs.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { eventId: `${queue}/order-1`, type: 'com.example.order', data: { order: 1 } },
        expect.objectContaining({ data: { order: 2 } }),
      ]),
    );
    expect((await messagesIn(queue)).ready).toBe(0);
    await bed.waitForConnection(sourceId, 'up', { withEvent: true });
  });

  it("rejects a bad message to the queue's dead-letter exchange after flint.dlq; the next one flows", async () => {
    const { queue, deadLetters } = await newQueue();
    const sourceId = uniqueName('rabbit-bad-orders');
    const triggerId = await bed.define(rabbitSource(sourceId, queue));
    publish(queue, '{"order": nope}', 'bad-1');
    publish(queue, JSON.stringify({ order: 3 }), 'good-1');
    await bed.startSubscriber();

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('{"order": nope}');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'rabbitmq',
    });
    await bed.waitForSucceededRuns(triggerId, 1, 'the good message after the bad one');
    await waitFor(async () => (await messagesIn(deadLetters)).ready === 1, {
      description: "the bad message in the queue's dead-letter queue",
    });
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and AMQP ack', async () => {
    const { queue } = await newQueue();
    const sourceId = uniqueName('rabbit-crash-orders');
    const triggerId = await bed.define(rabbitSource(sourceId, queue));
    publish(queue, JSON.stringify({ order: 4 }), 'order-4');

    const [event] = await bed.expectOneRunAfterKill('rabbitmq', sourceId, triggerId);
    expect(event.id).toBe(`${queue}/order-4`);
  });

  it('reconnects after the connection drops and gets what was queued meanwhile', async () => {
    const { queue } = await newQueue();
    await bed.expectResumeAfterDrop(
      AMQP_PORT,
      async (port) => {
        const sourceId = uniqueName('rabbit-dropped-orders');
        const triggerId = await bed.define(rabbitSource(sourceId, queue, port));
        return { sourceId, triggerId };
      },
      () => publish(queue, JSON.stringify({ order: 'while-down' }), 'order-5'),
    );
  });
});
