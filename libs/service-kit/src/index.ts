export * from './bootstrap';
export * from './constants';
export * from './egress-config';
export * from './consumer-service.module';
export * from './health-check';
export * from './health.controller';
export * from './kafka-transport';
export * from './metrics.controller';
export * from './metrics';
export * from './outbox-relay';
export * from './service-config';
export * from './service-kit.module';
export * from './service-runtime';
export * from './run-service';
export * from './service-logger';
export * from './worker-lifecycle';
export {
  MAX_EVENT_PAYLOAD_BYTES,
  type RunMessageTopics,
  RUN_STATUS_SOURCE,
  RunStatusMessages,
  runStatusCloudEvent,
  type StatusDetails,
} from './run-status-messages';
