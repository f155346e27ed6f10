export * from './registry/services';
export * from './registry/source-kinds';
export * from './registry/lookups';
export * from './cloud-event';
export * from './cloud-event-attributes';
export * from './topics';
export * from './primitives';
export * from './duration';
export * from './sources/webhook-config';
export * from './sources/poller-config';
export * from './sources/function-config';
export * from './sources/sql-query';
export * from './sources/cron-config';
export * from './sources/file-config';
export * from './sources/event-config';
export * from './sources/run-status-config';
export * from './sources/stream-message';
export * from './sources/kafka-topic-config';
export * from './sources/redis-stream-config';
export * from './sources/nats-config';
export * from './sources/rabbitmq-config';
export * from './sources/mqtt-config';
export * from './sources/sse-config';
export * from './sources/websocket-config';
export * from './sources/s3-config';
export {
  DEFAULT_OWNER,
  InlineSourceSchema,
  type InlineSourceInput,
  SourceDefinitionSchema,
  type SourceDefinition,
  type SourceDefinitionInput,
  StoredSourceSchema,
  type StoredSource,
} from './sources/source-definition';
export * from './triggers/target';
export * from './triggers/retry-policy';
export * from './triggers/trigger-options';
export * from './triggers/trigger-definition';
export * from './definition';
export * from './definition-checks';
export * from './run-request/run-request';
export * from './run-request/codec';
export * from './run-request/workflow-cancellation';
export * from './run-id';
export * from './run-status';
export * from './dlq';
export * from './json-limits';
export {
  formatIssuePath,
  formatZodIssues,
  type FormattedIssue,
  type IssuePosition,
} from './format-issues';
export { INLINE_SECRET_MESSAGE } from './strict';
export { buildJsonSchemas } from './json-schema';
export * from './api/common';
export * from './api/definitions';
export * from './api/access';
export * from './api/history';
export * from './api/run-attempts';
export * from './api/poll-history';
export * from './api/test-fire';
export * from './api/backtest';
export * from './api/events';
export * from './api/event-history';
export * from './history/decision';
export * from './history/replay';
export * from './api/console';
export * from './api/dead-letters';
export * from './api/schedules';
