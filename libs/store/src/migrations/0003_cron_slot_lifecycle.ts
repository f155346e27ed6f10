import type { Migration } from './migration';

/**
 * Cron slots get a lifecycle: a row is inserted as `claimed` (the replica whose insert wins fires the
 * slot), becomes `fired` once Kafka acknowledged the event, or `skipped` when the misfire policy
 * dropped it. A claim left `claimed` by a replica that died is found by its age and handled again.
 */
export const cronSlotLifecycleMigration: Migration = {
  version: 3,
  name: 'cron_slot_lifecycle',
  statements: [
    `ALTER TABLE cron_slots ADD COLUMN status text NOT NULL DEFAULT 'claimed'
      CHECK (status IN ('claimed', 'fired', 'skipped'))`,
    `ALTER TABLE cron_slots ADD COLUMN fired_at timestamptz`,
    `CREATE INDEX cron_slots_claimed_idx ON cron_slots (source_id, claimed_at)
      WHERE status = 'claimed'`,
  ],
};
