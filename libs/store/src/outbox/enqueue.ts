import type { Queryable } from '../store';

/**
 * Why an outbox: a definition change must reach the compacted `flint.triggers` topic, and the two
 * writes (database, Kafka) cannot share a transaction. Writing to the database and then publishing
 * loses the publication when the process dies in between; publishing first announces a change the
 * database may then roll back. Instead the change and its outbox row commit in ONE database
 * transaction, and the OutboxRelay publishes committed rows afterwards, marking them only once Kafka
 * has acknowledged them. After any crash the row is either absent (the change rolled back too) or still
 * unpublished (it is published on the next relay): the database and the topic can never disagree for
 * good. Publishing a row twice is harmless because values carry their version and the topic is compacted.
 */
export interface OutboxMessage {
  topic: string;
  key: string;
  /** JSON value; null is a tombstone (the key was deleted). */
  value: unknown;
  headers?: Record<string, string>;
}

export interface OutboxRecord extends Required<OutboxMessage> {
  /** Position in the outbox; records are published in this order. */
  id: string;
  createdAt: Date;
}

/** Adds a message to the outbox; call it inside the transaction that makes the change it announces. */
export async function enqueueOutbox(tx: Queryable, message: OutboxMessage): Promise<void> {
  await tx.query(
    'INSERT INTO outbox (topic, key, value, headers) VALUES ($1, $2, $3::jsonb, $4::jsonb)',
    [
      message.topic,
      message.key,
      message.value === null ? null : JSON.stringify(message.value),
      JSON.stringify(message.headers ?? {}),
    ],
  );
}

/** Outbox messages as JSON for `enqueueOutboxFrom`. */
export function outboxValues(messages: readonly OutboxMessage[] = []): unknown[] {
  return messages.map((message) => ({
    topic: message.topic,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  }));
}

/**
 * The outbox insert of `enqueueOutbox` inside a data-modifying CTE: the `messages` (from
 * `outboxValues`) of each row of `rows`, ordered by the rows' `position`, then as listed. A JSON null
 * value is stored as SQL NULL, a tombstone, as `enqueueOutbox` does.
 */
export function enqueueOutboxFrom(rows: string): string {
  return `INSERT INTO outbox (topic, key, value, headers)
          SELECT message->>'topic', message->>'key', nullif(message->'value', 'null'::jsonb),
                 message->'headers'
            FROM ${rows}, jsonb_array_elements(${rows}.messages) WITH ORDINALITY AS m(message, n)
           ORDER BY ${rows}.position, m.n`;
}
