import type { Migration } from './migration';

/**
 * What a connection-based source (the subscriber's Kafka topics, streams, queues and push feeds)
 * adds to its status report: the state of its connection upstream (`connecting`, `up`,
 * `reconnecting`, `failed`), when its last event arrived, and how far behind the upstream it is
 * where the protocol tells (Kafka consumer lag, Redis Streams pending entries). Nullable: the other
 * providers report none of it.
 */
export const sourceConnectionMigration: Migration = {
  version: 10,
  name: 'source_connection',
  statements: [
    `ALTER TABLE source_status
       ADD COLUMN IF NOT EXISTS connection text,
       ADD COLUMN IF NOT EXISTS last_event_at timestamptz,
       ADD COLUMN IF NOT EXISTS lag bigint`,
  ],
};
