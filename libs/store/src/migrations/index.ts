import { initialMigration } from './0001_initial';
import { runExecutionMigration } from './0002_run_execution';
import { cronSlotLifecycleMigration } from './0003_cron_slot_lifecycle';
import { evaluatorStateMigration } from './0004_evaluator_state';
import { apiAccessMigration } from './0005_api_access';
import { definitionHistoryMigration } from './0006_definition_history';
import { activityMigration } from './0007_activity';
import { consoleMigration } from './0008_console';
import { dedupeKeysMigration } from './0009_dedupe_keys';
import { sourceConnectionMigration } from './0010_source_connection';
import { pollHistoryMigration } from './0011_poll_history';
import { triggerRateLimitsMigration } from './0012_trigger_rate_limits';
import { eventArchiveMigration } from './0013_event_archive';
import { runnerWorkflowsMigration } from './0014_runner_workflows';
import { runControlMigration } from './0015_run_control';
import { runCallbacksMigration } from './0016_run_callbacks';
import { sourceHealthMigration } from './0017_source_health';
import { runPriorityMigration } from './0019_run_priority';
import { cancelOnEventMigration } from './0020_cancel_on_event';
import { runCancellationsMigration } from './0021_run_cancellations';
import { archiveFromFlintMigration } from './0022_archive_from_flint';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  runExecutionMigration,
  cronSlotLifecycleMigration,
  evaluatorStateMigration,
  apiAccessMigration,
  definitionHistoryMigration,
  activityMigration,
  consoleMigration,
  dedupeKeysMigration,
  sourceConnectionMigration,
  pollHistoryMigration,
  triggerRateLimitsMigration,
  eventArchiveMigration,
  runnerWorkflowsMigration,
  runControlMigration,
  runCallbacksMigration,
  sourceHealthMigration,
  runPriorityMigration,
  cancelOnEventMigration,
  runCancellationsMigration,
  archiveFromFlintMigration,
];
