import type { EventProducer } from '@flint/kafka';
import { type OutboxRecord, OutboxRelay, type Store } from '@flint/store';
import type { RunnerLog } from '../runner-log';

/**
 * Publishes the outbox: run-status events and dead letters the runner committed with its transitions
 * (and any other service's outbox rows, since one relay at a time serves the whole table). Records keep
 * their order; a record is marked published only after Kafka acknowledged it.
 */
export function statusRelay(
  store: Store,
  producer: EventProducer,
  log: RunnerLog,
  intervalMs: number,
): OutboxRelay {
  return new OutboxRelay(store, (records) => publish(producer, records), {
    intervalMs,
    log: (message) => log.warn({}, message),
  });
}

async function publish(producer: EventProducer, records: OutboxRecord[]): Promise<void> {
  await producer.sendRecords(
    records.map((record) => ({
      topic: record.topic,
      key: record.key,
      value: record.value === null ? null : JSON.stringify(record.value),
      headers: record.headers,
    })),
  );
}
