import { z } from 'zod';
import { IsoDateTimeSchema } from './primitives';
import { requiredOr } from './strict';

/** Kafka headers a message carries on `flint.dlq`, next to its original key, value and headers. */
export const DLQ_HEADERS = {
  reason: 'flint_dlq_reason',
  /** Human-readable detail of the reason, e.g. the validation error. */
  error: 'flint_dlq_error',
  /** The Kafka topic the message was read from, or for other upstreams the source's kind. */
  sourceTopic: 'flint_dlq_source_topic',
  /** Partition and offset of a message read from Kafka. */
  sourcePartition: 'flint_dlq_source_partition',
  sourceOffset: 'flint_dlq_source_offset',
  failedAt: 'flint_dlq_failed_at',
  /** The Flint source that refused a message it took from upstream (the subscriber's sources). */
  sourceId: 'flint_dlq_source_id',
  /** Where upstream the message was: a stream entry id, a queue and delivery tag, a subject. */
  origin: 'flint_dlq_origin',
} as const;

export const DLQ_REASONS = [
  /** The bytes or headers could not be decoded (not JSON, not a CloudEvent in binary mode). */
  'undecodable',
  /** Decoded, but the message does not match its contract. */
  'invalid',
  /** Valid, but the handler failed permanently or ran out of retries. */
  'processing-failed',
  /** Larger than the source accepts (its `maxMessageBytes`). */
  'too-large',
] as const;
export const DlqReasonSchema = z.enum(DLQ_REASONS, {
  error: requiredOr(`must be one of: ${DLQ_REASONS.join(', ')}`),
});
export type DlqReason = z.infer<typeof DlqReasonSchema>;

/**
 * A Kafka message that cannot be used; the message says exactly why, and the consumer runtime
 * dead-letters it with that reason. `reason` tells bytes that are not the message at all
 * (`undecodable`) from a message that breaks its contract (`invalid`).
 */
export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';

  constructor(
    message: string,
    readonly reason: Extract<DlqReason, 'undecodable' | 'invalid'> = 'undecodable',
  ) {
    super(message);
  }
}

/** The DLQ headers of a message, read back as strings (as Kafka clients deliver them). */
export const DlqHeadersSchema = z.object({
  [DLQ_HEADERS.reason]: DlqReasonSchema,
  [DLQ_HEADERS.error]: z.string().optional(),
  [DLQ_HEADERS.sourceTopic]: z.string().min(1, 'must not be empty'),
  [DLQ_HEADERS.sourcePartition]: z.string().regex(/^\d+$/, 'must be a partition number').optional(),
  [DLQ_HEADERS.sourceOffset]: z.string().regex(/^\d+$/, 'must be an offset').optional(),
  [DLQ_HEADERS.failedAt]: IsoDateTimeSchema,
  [DLQ_HEADERS.sourceId]: z.string().optional(),
  [DLQ_HEADERS.origin]: z.string().optional(),
});
export type DlqHeaders = z.infer<typeof DlqHeadersSchema>;
