import { connectAsync, type MqttClient } from 'mqtt';
import { uniqueName } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

const MQTT_PORT = 1883;

/** MQTT sources against the Mosquitto broker of this machine, topics of their own per test. */
describe('subscriber: MQTT sources', () => {
  const bed = new SubscriberBed('sub-mqtt');
  let publisher: MqttClient;

  beforeAll(async () => {
    publisher = await connectAsync(`mqtt://127.0.0.1:${MQTT_PORT}`, {
      clientId: uniqueName('flint-test-publisher'),
    });
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    await publisher.endAsync();
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  function mqttSource(id: string, prefix: string, protocolVersion: 4 | 5, port = MQTT_PORT) {
    return {
      id,
      provider: 'mqtt',
      config: {
        url: `mqtt://127.0.0.1:${port}`,
        topics: [`${prefix}/+/temperature`],
        protocolVersion,
        type: 'com.example.reading',
      },
    };
  }

  async function publish(topic: string, body: string): Promise<void> {
    await publisher.publishAsync(topic, body, { qos: 1 });
  }

  it('MQTT 5: starts a run per message, with the topic as subject', async () => {
    const prefix = uniqueName('flint-test/site');
    const sourceId = uniqueName('mqtt5-readings');
    const triggerId = await bed.define(mqttSource(sourceId, prefix, 5));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    await publish(`${prefix}/kitchen/temperature`, JSON.stringify({ celsius: 21 }));

    const [run] = await bed.waitForSucceededRuns(triggerId, 1, 'the reading started a run');
    expect(run.input).toMatchObject({ type: 'com.example.reading', data: { celsius: 21 } });
    const [event] = await bed.waitForEvents(sourceId, 1);
    expect(event.subject).toBe(`${prefix}/kitchen/temperature`);
  });

  it('MQTT 3.1.1: keeps its session, so what is published while it is away arrives after restart', async () => {
    const prefix = uniqueName('flint-test/site');
    const sourceId = uniqueName('mqtt311-readings');
    const triggerId = await bed.define(mqttSource(sourceId, prefix, 4));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    await bed.stopSubscriber();

    await publish(`${prefix}/cellar/temperature`, JSON.stringify({ celsius: 12 }));
    await bed.startSubscriber();
    const [run] = await bed.waitForSucceededRuns(triggerId, 1, 'the reading sent while away');
    expect(run.input).toMatchObject({ data: { celsius: 12 } });
  });

  it('sends a bad message to flint.dlq and acknowledges it; the next one still flows', async () => {
    const prefix = uniqueName('flint-test/site');
    const sourceId = uniqueName('mqtt-bad-readings');
    const triggerId = await bed.define(mqttSource(sourceId, prefix, 5));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    await publish(`${prefix}/attic/temperature`, 'twenty degrees');
    await publish(`${prefix}/attic/temperature`, JSON.stringify({ celsius: 25 }));

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('twenty degrees');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'mqtt',
    });
    await bed.waitForSucceededRuns(triggerId, 1, 'the good reading after the bad one');
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and PUBACK', async () => {
    const prefix = uniqueName('flint-test/site');
    const sourceId = uniqueName('mqtt-crash-readings');
    const triggerId = await bed.define(mqttSource(sourceId, prefix, 5));
    // The session (and its subscription) exists before the message is published.
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    await bed.stopSubscriber();
    await publish(`${prefix}/garage/temperature`, JSON.stringify({ celsius: 5 }));

    // The next subscriber waits for the dead replica's lease on the session to expire; then the
    // broker delivers the unacknowledged message again.
    await bed.expectOneRunAfterKill('mqtt', sourceId, triggerId);
  });

  it('reconnects after the connection drops and gets what was published meanwhile', async () => {
    const prefix = uniqueName('flint-test/site');
    await bed.expectResumeAfterDrop(
      MQTT_PORT,
      async (port) => {
        const sourceId = uniqueName('mqtt-dropped-readings');
        const triggerId = await bed.define(mqttSource(sourceId, prefix, 5, port));
        return { sourceId, triggerId };
      },
      () => publish(`${prefix}/porch/temperature`, JSON.stringify({ celsius: -3 })),
    );
  });
});
