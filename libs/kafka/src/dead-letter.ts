import { DLQ_HEADERS, type DlqReason, MessageDecodeError } from '@flint/contracts';
import { z } from 'zod';
import type { IncomingMessage, OutgoingRecord } from './messages';

/** Long enough for any decode error we write; bounded so one absurd message cannot bloat a header. */
const MAX_ERROR_LENGTH = 4000;

export interface DeadLetterCause {
  reason: DlqReason;
  /** What exactly is wrong, for the person who looks at the dead letter. */
  error: string;
}

/**
 * Classifies a decoder's failure: bytes that are no CloudEvent (or no JSON) are `undecodable`;
 * a message that decoded but breaks its contract is `invalid`.
 */
export function deadLetterCause(err: unknown): DeadLetterCause {
  if (err instanceof MessageDecodeError) return { reason: err.reason, error: err.message };
  if (err instanceof z.ZodError) {
    const issues = err.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`);
    return { reason: 'invalid', error: issues.join('; ') };
  }
  return { reason: 'undecodable', error: err instanceof Error ? err.message : String(err) };
}

/**
 * The dead-letter record for a message that could not be decoded: the original key, value and
 * headers untouched, so it can be inspected or replayed byte for byte, plus where it came from and why
 * it was rejected.
 */
export function deadLetterRecord(
  message: IncomingMessage,
  cause: DeadLetterCause,
  dlqTopic: string,
  failedAt: Date,
): OutgoingRecord {
  return {
    topic: dlqTopic,
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DLQ_HEADERS.reason]: cause.reason,
      [DLQ_HEADERS.error]: cause.error.slice(0, MAX_ERROR_LENGTH),
      [DLQ_HEADERS.sourceTopic]: message.topic,
      [DLQ_HEADERS.sourcePartition]: String(message.partition),
      [DLQ_HEADERS.sourceOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: failedAt.toISOString(),
    },
  };
}
