import { DLQ_HEADERS } from '@flint/contracts';
import type { IncomingMessage } from '@flint/kafka';
import type { NewDeadLetter } from '@flint/store';

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

/**
 * What the index keeps of a message on the dead-letter topic. Never throws: a message whose DLQ
 * headers are missing or odd (written by hand, or by another tool) is still indexed, with what it has,
 * so nothing on the topic is invisible to the API.
 */
export function deadLetterOf(message: IncomingMessage): NewDeadLetter {
  const headers: Record<string, string> = {};
  const dlq: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    (DLQ_HEADER_NAMES.has(name) ? dlq : headers)[storable(name)] = storable(text);
  }
  const failedAt = Date.parse(dlq[DLQ_HEADERS.failedAt] ?? '');
  const sourcePartition = wholeNumber(dlq[DLQ_HEADERS.sourcePartition]);
  const sourceOffset = dlq[DLQ_HEADERS.sourceOffset];
  return {
    dlqPartition: message.partition,
    dlqOffset: message.offset,
    reason: dlq[DLQ_HEADERS.reason] || 'unknown',
    ...optional('error', dlq[DLQ_HEADERS.error]),
    sourceTopic: dlq[DLQ_HEADERS.sourceTopic] || 'unknown',
    ...(sourcePartition === undefined ? {} : { sourcePartition }),
    ...(sourceOffset !== undefined && /^\d{1,18}$/.test(sourceOffset) ? { sourceOffset } : {}),
    ...optional('sourceId', dlq[DLQ_HEADERS.sourceId]),
    ...optional('origin', dlq[DLQ_HEADERS.origin]),
    failedAt: firstTime(failedAt, Number(message.timestamp), Date.now()),
    key: message.key === null ? null : storable(message.key.toString('utf8')),
    value: message.value,
    headers,
  };
}

/** The failure time, else when it was written to the topic, else now: never an invalid date. */
function firstTime(...times: number[]): Date {
  return new Date(times.find((time) => Number.isFinite(time)) ?? Date.now());
}

/** PostgreSQL text and jsonb cannot hold NUL; a key or header with one must still be indexed. */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === ''
    ? {}
    : ({ [key]: storable(value) } as Record<K, string>);
}
