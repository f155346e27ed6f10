export {
  StoreConfigSchema,
  StoreConfigError,
  storeConfigFromEnv,
  pgliteDataDir,
  type StoreConfig,
} from './config';
export type { Queryable, Store, StoreKind } from './store';
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
export {
  type ChangeOptions,
  type DefinitionChange,
  DefinitionExistsError,
  type DefinitionFilter,
  type DefinitionHistoryEntry,
  DefinitionInUseError,
  DefinitionRepository,
  type DefinitionRepositoryOptions,
  type DeleteResult,
  type HistoryRange,
} from './definition-repository';
export { DefinitionNotFoundError, DuplicateDefinitionError, VersionConflictError } from './errors';
export { enqueueOutbox, type OutboxMessage, type OutboxRecord } from './outbox';
export { OutboxRelay, type OutboxRelayOptions, type PublishOutbox } from './outbox-relay';
export {
  type AttemptFinish,
  type AttemptStart,
  type ClaimOptions,
  type ClaimOutcome,
  type FinishAttempt,
  type FinishResult,
  type NewRun,
  RunLeaseLostError,
  type RunCursor,
  type RunFilter,
  type RunHistoryPage,
  type RunHistoryQuery,
  RunRepository,
  type RunTransition,
  type StartAttemptOptions,
  type TakenRun,
} from './run-repository';
export type {
  RunAttemptOutcome,
  RunAttemptRecord,
  RunRecord,
  RunResponse,
  RunSourcePosition,
} from './run-records';
export {
  type BatchAddResult,
  type BatchMember,
  type ClosedBatch,
  EvaluatorBatchRepository,
  type NewBatchMember,
  type PendingBatch,
} from './evaluator-batch-repository';
export {
  type CompoundMatch,
  type CompoundMatchKey,
  type CompoundMembership,
  type CompoundOutcome,
  type CompoundSession,
  type CompoundSweep,
  EvaluatorCompoundRepository,
} from './evaluator-compound-repository';
export {
  type ActivityBounds,
  type ActivityFlush,
  ActivityRepository,
  type RecentEvent,
  type TriggerActivityCounts,
  type TriggerActivityMinute,
  type TriggerActivityRow,
} from './activity-repository';
export { ApiKeyRepository, type ApiKeyRecord, type NewApiKey } from './api-key-repository';
export {
  SECRETS_KEYS_VARIABLE,
  type SealedSecret,
  SecretCipher,
  SecretDecryptionError,
  type SecretKeyRing,
  SecretKeyRingError,
  generateSecretKeyRing,
  parseSecretKeyRing,
} from './secret-cipher';
export {
  type PutSecret,
  type PutSecretResult,
  SecretOwnerConflictError,
  SecretRepository,
} from './secret-repository';
