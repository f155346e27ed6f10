import type { Log } from '@flint/common';
import type { EventProducer } from '@flint/kafka';
import { type OutboxRecord, OutboxRelay, type Store } from '@flint/store';

/**
 * The outbox relay as services run it: committed outbox rows (definition changes, run-status events,
 * dead letters) go to Kafka with `producer`, in order, and are marked published once Kafka acknowledged
 * them. One relay at a time serves the whole table, so any service's relay publishes any row.
 */
export function kafkaOutboxRelay(
  store: Store,
  producer: EventProducer,
  options: { intervalMs?: number; log: Log },
): OutboxRelay {
  return new OutboxRelay(
    store,
    async (records) => {
      await producer.sendRecords(records.map(kafkaRecord));
    },
    options,
  );
}

function kafkaRecord(record: OutboxRecord) {
  return {
    topic: record.topic,
    key: record.key,
    value: record.value === null ? null : JSON.stringify(record.value),
    headers: record.headers,
  };
}
