import type { Migration } from './migration';

/**
 * Whether an archived event was produced by a Flint service (signed on the events topic) or by a
 * foreign producer. The live evaluator gives an unsigned event no owner; a backtest over the archive
 * must treat it the same, and before this column it could only assume every event was signed. Rows
 * archived before keep that assumption (the default).
 */
export const archiveFromFlintMigration: Migration = {
  version: 22,
  name: 'archive_from_flint',
  statements: [`ALTER TABLE event_archive ADD COLUMN from_flint boolean NOT NULL DEFAULT true`],
};
