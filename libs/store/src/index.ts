export {
  StoreConfigSchema,
  StoreConfigError,
  storeConfigFromEnv,
  pgliteDataDir,
  type StoreConfig,
} from './config';
export type { Queryable, Store, StoreKind } from './store';
export { ADVISORY_LOCK_NAMESPACE } from './advisory-locks';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store';
export { PgliteStore, type PgliteStoreOptions } from './pglite-store';
export { DataDirLockedError } from './data-dir-lock';
export { openStore, type OpenStoreOptions } from './open-store';
export { storeHealthCheck, type StoreHealthCheck } from './health';
export { MIGRATIONS, type Migration } from './migrations';
export {
  MigrationError,
  appliedMigrations,
  pendingMigrations,
  runMigrations,
  type AppliedMigration,
  type MigrationReport,
} from './migrator';
export { enqueueOutbox, type OutboxMessage, type OutboxRecord } from './outbox/enqueue';
export { OutboxRelay, type OutboxRelayOptions, type PublishOutbox } from './outbox/relay';
export {
  type ClaimOptions,
  type ClaimOutcome,
  type NewRun,
  RunClaimRepository,
} from './runs/claims';
export {
  type AttemptFinish,
  type AttemptStart,
  type CancelRequested,
  type FinishAttempt,
  type FinishResult,
  RunAttemptRepository,
  RunLeaseLostError,
  type RunTransition,
  type StartAttemptOptions,
  type TakenRun,
} from './runs/attempts';
export {
  type CancellationTryOutcome,
  type DueCancellation,
  RunCancellationRepository,
  type RunCancellationRecord,
  type RunCancellationStatus,
} from './runs/cancellations';
export { RunConcurrencyRepository } from './runs/concurrency';
export { PRIORITY_AGING_SECONDS, startRank } from './runs/priority';
export {
  callbackTokenHash,
  type CancelRequest,
  type Completion,
  type RemoteOutcome,
  RunControlRepository,
} from './runs/control';
export { GROWING_TABLES, RunRetentionRepository, type TableSize } from './runs/retention';
export {
  DeletedSourceStateRepository,
  SOURCE_STATE_TABLES,
  type SourceStateTable,
} from './source-state/deleted-source-state';
export {
  type RunCursor,
  type RunFilter,
  type RunHistoryPage,
  type RunHistoryQuery,
  type RunMinute,
  RunHistoryRepository,
  type TriggerRunSummary,
} from './runs/history';
export { RunsOfEventRepository } from './runs/runs-of-event';
export {
  POLL_HISTORY_LIMIT,
  type PollOutcomeKind,
  type PollRecord,
  PollHistoryRepository,
} from './poll-history/poll-history-repository';
export type {
  RunAttemptOutcome,
  RunAttemptRecord,
  RunRecord,
  RunResponse,
  RunSourcePosition,
} from './runs/records';
export {
  type ActivityBounds,
  type ActivityFlush,
  ActivityRepository,
  ALL_EVENTS,
  type EventMinute,
  type RecentEvent,
  type SourceActivityRow,
  type SourceEventSummary,
  type TriggerActivityCounts,
  type TriggerActivityMinute,
  type TriggerActivityRow,
} from './activity/activity-repository';
export {
  type ReportedSource,
  SOURCE_STATUS_REPORT_INTERVAL_MS,
  SOURCE_STATUS_STALE_MS,
  SourceStatusRepository,
  type SourceStatusRow,
} from './source-status/source-status-repository';
export {
  SECRETS_KEYS_VARIABLE,
  type SealedSecret,
  SecretCipher,
  SecretDecryptionError,
  type SecretKeyRing,
  SecretKeyRingError,
  generateSecretKeyRing,
  parseSecretKeyRing,
} from './secrets/cipher';
export {
  type PutSecret,
  type PutSecretResult,
  SecretOwnerConflictError,
  SecretRepository,
} from './secrets/repository';
export { Lease, type LeaseOptions } from './leases/lease';
export { ProviderStateRepository } from './provider-state/provider-state-repository';
export {
  RUNNER_WORKFLOWS_ANNOUNCE_INTERVAL_MS,
  RunnerWorkflowsRepository,
} from './runner-workflows/runner-workflows-repository';
export {
  type ArchiveCursor,
  type ArchivedEvent,
  type ArchiveEntry,
  type ArchivePartition,
  type ArchiveQuery,
  EventArchiveRepository,
} from './event-archive/event-archive-repository';
export {
  ArchiveRetention,
  type ArchiveRetentionPolicy,
  type PruneReport,
} from './event-archive/archive-retention';
export {
  type DeadLetterFilter,
  type DeadLetterPage,
  type DeadLetterRecord,
  DeadLetterRepository,
  type NewDeadLetter,
} from './dead-letters/dead-letter-repository';
export { CronSlotRepository } from './cron-slots/cron-slot-repository';
