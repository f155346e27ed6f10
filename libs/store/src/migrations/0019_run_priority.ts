import type { Migration } from './migration';

/**
 * Run priority (issue 17 §6): each run keeps its priority, and its queue rank, the time it was
 * requested moved earlier by its priority (`startRank`): queued runs of a concurrency key are admitted
 * in queue-rank order, which the queue index now serves. Runs queued before this have no rank and go
 * first, in claim order, as they would have.
 */
export const runPriorityMigration: Migration = {
  version: 19,
  name: 'run_priority',
  statements: [
    `ALTER TABLE runs ADD COLUMN priority smallint NOT NULL DEFAULT 0`,
    `ALTER TABLE runs ADD COLUMN queue_rank timestamptz`,
    `DROP INDEX runs_queued_idx`,
    `CREATE INDEX runs_queued_idx ON runs (trigger_id, concurrency_key, queue_rank NULLS FIRST, claim_seq)
      WHERE queued`,
  ],
};
