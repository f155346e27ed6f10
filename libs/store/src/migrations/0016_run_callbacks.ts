import type { Migration } from './migration';

/**
 * Real outcomes of remote workflows (issue 16 §5): a run of a `completion: callback` target stays
 * STARTED after its start was accepted, until the workflow reports its outcome with the run's
 * single-use token (only its SHA-256 is kept) or `callback_deadline` passes.
 */
export const runCallbacksMigration: Migration = {
  version: 16,
  name: 'run_callbacks',
  statements: [
    `ALTER TABLE runs ADD COLUMN callback_token_hash text`,
    `ALTER TABLE runs ADD COLUMN callback_deadline timestamptz`,
    `CREATE INDEX runs_callback_deadline_idx ON runs (callback_deadline)
       WHERE callback_deadline IS NOT NULL`,
  ],
};
