import type { Migration } from './migration';

/**
 * Cancel on event (issue 17 §5): a run keeps the key of its trigger's `cancelOn.match`
 * (`cancel_key`), so a cancelling event finds the runs of its key, and the id of the event that
 * cancelled it (`cancelled_by_event`).
 */
export const cancelOnEventMigration: Migration = {
  version: 20,
  name: 'cancel_on_event',
  statements: [
    `ALTER TABLE runs ADD COLUMN cancel_key text`,
    `ALTER TABLE runs ADD COLUMN cancelled_by_event text`,
    `CREATE INDEX runs_active_cancel_key_idx ON runs (trigger_id, cancel_key)
      WHERE status IN ('REQUESTED', 'STARTED')`,
  ],
};
