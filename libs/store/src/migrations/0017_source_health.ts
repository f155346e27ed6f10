import type { Migration } from './migration';

/**
 * The status every running source reports, whatever its kind (issue 22): when its work last
 * succeeded, its latest error and when it happened (kept after it recovers, so a flapping source
 * shows what went wrong), and how many attempts failed in a row. Nullable: a source that has not
 * succeeded or failed yet reports none of it.
 */
export const sourceHealthMigration: Migration = {
  version: 17,
  name: 'source_health',
  statements: [
    `ALTER TABLE source_status
       ADD COLUMN IF NOT EXISTS last_success_at timestamptz,
       ADD COLUMN IF NOT EXISTS last_error text,
       ADD COLUMN IF NOT EXISTS last_error_at timestamptz,
       ADD COLUMN IF NOT EXISTS consecutive_failures integer`,
  ],
};
