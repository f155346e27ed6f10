import { DLQ_HEADERS } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import type { Delivery } from './delivery';
import type { BadMessage } from './message-translator';

/** Bounded so that one absurd message cannot bloat a header. */
const MAX_ERROR_LENGTH = 4000;

export interface DeadLetterOrigin {
  sourceId: string;
  provider: string;
  dlqTopic: string;
  failedAt: Date;
}

/**
 * The flint.dlq record of a message a source would not publish: its original bytes and headers
 * untouched, keyed by the source id, with the reason, the source and where upstream it was.
 */
export function deadLetterOf(
  delivery: Delivery,
  bad: BadMessage,
  origin: DeadLetterOrigin,
): OutgoingRecord {
  return {
    topic: origin.dlqTopic,
    key: origin.sourceId,
    value: delivery.body,
    headers: {
      ...delivery.headers,
      [DLQ_HEADERS.reason]: bad.reason,
      [DLQ_HEADERS.error]: bad.error.slice(0, MAX_ERROR_LENGTH),
      [DLQ_HEADERS.sourceTopic]: origin.provider,
      [DLQ_HEADERS.sourceId]: origin.sourceId,
      [DLQ_HEADERS.origin]: delivery.origin,
      [DLQ_HEADERS.failedAt]: origin.failedAt.toISOString(),
    },
  };
}
