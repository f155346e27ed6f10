export * from './batch-retry';
export * from './batch-consumer';
export {
  BatchAbandonedError,
  type BatchContext,
  type BatchHandler,
  BatchProcessor,
  type BatchProcessorOptions,
  type Decode,
  type Decoded,
  RetriesExhaustedError,
} from './batch-processor';
export * from './client';
export * from './cloud-event-binding';
export * from './config';
export * from './dead-letter';
export * from './event-signature';
export * from './failure-kinds';
export * from './health';
export * from './kafka-metrics';
export * from './log';
export * from './messages';
export * from './messaging-spans';
export * from './nest/flint-kafka.context';
export * from './nest/flint-kafka.server';
export * from './nest/handler-error.filter';
export * from './producer';
export * from './topics';
export * from './trace-context';
export * from './definition-feed';
