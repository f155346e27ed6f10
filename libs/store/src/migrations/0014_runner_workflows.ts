import type { Migration } from './migration';

/**
 * `runner_workflows`: the local workflows each runner replica can start, announced at start and
 * again every minute, withdrawn at stop. The API refuses a trigger whose `local` target names a
 * workflow no runner has, instead of letting every run of it fail.
 */
export const runnerWorkflowsMigration: Migration = {
  version: 14,
  name: 'runner_workflows',
  statements: [
    `CREATE TABLE runner_workflows (
      replica text PRIMARY KEY,
      workflows text[] NOT NULL,
      announced_at timestamptz NOT NULL DEFAULT now()
    )`,
  ],
};
