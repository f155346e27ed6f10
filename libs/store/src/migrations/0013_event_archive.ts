import type { Migration } from './migration';

/**
 * `event_archive`: every event the evaluator consumed, with which triggers it fired and the decision
 * for each trigger it considered (why it did or did not fire). Partitioned by the day the event was
 * accepted (UTC), so retention drops a whole day's partition instead of deleting rows one by one.
 * The partitions themselves are created by the writer as days come (`event_archive_pYYYYMMDD`); an
 * event of a day without one is never lost to a missing partition, since the writer creates it first.
 * The key holds the acceptance time, as a partitioned table's unique key must: a batch consumed again
 * after a failed pass writes the same rows, which the insert skips.
 */
export const eventArchiveMigration: Migration = {
  version: 13,
  name: 'event_archive',
  statements: [
    `CREATE TABLE event_archive (
      accepted_at timestamptz NOT NULL,
      event_id text NOT NULL,
      owner text,
      source_id text NOT NULL,
      provider text NOT NULL,
      type text NOT NULL,
      archived_at timestamptz NOT NULL DEFAULT now(),
      event jsonb NOT NULL,
      fired text[] NOT NULL,
      decisions jsonb NOT NULL,
      decisions_omitted integer NOT NULL DEFAULT 0,
      replay_of text,
      PRIMARY KEY (accepted_at, event_id)
    ) PARTITION BY RANGE (accepted_at)`,
    `CREATE INDEX event_archive_id_idx ON event_archive (event_id)`,
    `CREATE INDEX event_archive_source_idx ON event_archive (source_id, accepted_at)`,
    `CREATE INDEX event_archive_archived_idx ON event_archive (archived_at)`,
  ],
};
