import { EventProducer } from '@flint/kafka';
import { kafkaOutboxRelay } from '@flint/service-kit';
import { enqueueOutbox, type Store } from '@flint/store';
import type { Kafka } from 'kafkajs';
import { createTestTopic, readMessages } from '../../support/kafka';
import { kafkaForTest } from '../../support/kafka-client';
import { describeIfPostgres } from '../../support/postgres';
import { type OpenedStore, postgresBackend } from '../../support/store-backends';

/**
 * The relay as services run it, against a broker that refuses a publish at once (not one that is
 * unreachable, which only makes the send hang until it times out): nothing may be marked published
 * that Kafka did not take.
 */
describeIfPostgres('the Kafka outbox relay when the broker refuses a publish', () => {
  let db: OpenedStore;
  let kafka: Kafka;
  let producer: EventProducer;

  beforeAll(async () => {
    db = await postgresBackend.open();
    kafka = kafkaForTest('outbox-relay-test');
    producer = new EventProducer(kafka);
  });

  afterAll(async () => {
    await producer.disconnect();
    await db.dispose();
  });

  const unpublished = async (store: Store) =>
    (
      await store.query<{ key: string }>(
        'SELECT key FROM outbox WHERE published_at IS NULL ORDER BY id',
      )
    ).map((row) => row.key);

  it('marks nothing, keeps the order, and publishes everything once the cause is gone', async () => {
    // The broker answers MESSAGE_TOO_LARGE for anything over 1 KB: a refusal, not a timeout.
    const topic = await createTestTopic(kafka, 'outbox-refused', {
      config: { 'max.message.bytes': '1024' },
    });
    await db.store.transaction(async (tx) => {
      await enqueueOutbox(tx, { topic, key: 'small', value: { n: 1 } });
      await enqueueOutbox(tx, { topic, key: 'large', value: { text: 'x'.repeat(4096) } });
      await enqueueOutbox(tx, { topic, key: 'after', value: { n: 3 } });
    });
    const warnings: string[] = [];
    const relay = kafkaOutboxRelay(db.store, producer, {
      log: (_level, message) => warnings.push(message),
    });

    await expect(relay.relayOnce()).rejects.toThrow(/larger than the max message size/);
    expect(await unpublished(db.store)).toEqual(['small', 'large', 'after']);

    // Fixed at the source (here: the row made smaller); the next relay sends all three, in order.
    await db.store.query(`UPDATE outbox SET value = '{"text":"short"}' WHERE key = 'large'`);
    expect(await relay.relayAll()).toBe(3);
    expect(await unpublished(db.store)).toEqual([]);
    const messages = await readMessages(kafka, topic, 3);
    expect(messages.map((message) => message.key?.toString())).toEqual(['small', 'large', 'after']);
    expect(warnings).toEqual([]);
  });
});
