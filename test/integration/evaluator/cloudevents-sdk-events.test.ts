import { CloudEvent as SdkCloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, trigger } from './evaluator-harness';

/**
 * Events need not come from Flint's own code: one built and encoded with the official CloudEvents
 * SDK's Kafka binding (binary mode) and produced with a plain Kafka client is accepted by the
 * evaluator and starts a run.
 */
describeIfPostgres('the evaluator reading events from the CloudEvents SDK', () => {
  const bed = new EvaluatorTestBed('evaluator-sdk');

  beforeAll(async () => {
    await bed.setUp('evaluator_sdk');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  it('fires a trigger on an event produced with the SDK’s Kafka binding', async () => {
    await bed.define(
      trigger('sdk-orders', {
        eventTypes: ['com.example.order.placed'],
        // Another producer's event carries no signature of Flint's services, so no owner the
        // evaluator believes: it reaches triggers that take events from any owner (docs/triggers.md).
        fromOwners: 'any',
        condition: 'event.data.total > 10',
        input: { order: 'event.data.id', partition: 'event.partitionkey' },
      }),
    );
    await bed.startEvaluator();

    const acceptedAt = new Date().toISOString();
    const event = new SdkCloudEvent({
      id: `sdk-${Date.now()}`,
      source: 'urn:example:shop',
      type: 'com.example.order.placed',
      datacontenttype: 'application/json',
      data: { id: 'order-7', total: 42 },
      partitionkey: 'shop-eu',
      flintsourceid: 'api',
      flintprovider: 'api',
      flintacceptedat: acceptedAt,
    });
    const message = CloudEventsKafka.binary(event);
    // What any producer does with the SDK's message: the data serialized, the headers the SDK leaves
    // undefined (attributes of CloudEvents 0.3) dropped, which kafkajs would otherwise refuse.
    const headers = Object.fromEntries(
      Object.entries(message.headers).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    expect(headers).toMatchObject({ ce_partitionkey: 'shop-eu', ce_flintsourceid: 'api' });
    await bed.producer.send(bed.topics.events, [
      { key: String(message.key), value: JSON.stringify(message.value), headers },
    ]);

    const [run] = await bed.waitForRuns('sdk-orders', 1);
    expect(run).toMatchObject({
      eventIds: [event.id],
      input: { order: 'order-7', partition: 'shop-eu' },
      provider: 'api',
      acceptedAt,
    });
    expect(bed.deadLetters).toEqual([]);
  });
});
