/** An event could not be published; nothing may be acknowledged to its origin. */
export class EmitFailedError extends Error {
  override readonly name = 'EmitFailedError';
  /** True when retrying cannot help (an invalid or oversized event); false for an unreachable Kafka. */
  readonly permanent: boolean;

  constructor(message: string, options: { permanent: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.permanent = options.permanent;
  }
}

/** The source was stopped while its event was still unacknowledged; it may or may not be on Kafka. */
export class EmitAbortedError extends Error {
  override readonly name = 'EmitAbortedError';

  constructor() {
    super('the source was stopped before Kafka acknowledged the event');
  }
}

/** Broker answers that no retry of the same records can change. */
const PERMANENT_KAFKA_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

interface ErrorLike {
  type?: unknown;
  originalError?: unknown;
  cause?: unknown;
}

/** The kafkajs protocol error types in an error and in what it wraps. */
function kafkaErrorTypes(err: unknown): string[] {
  const types: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const candidate = current as ErrorLike;
    if (typeof candidate.type === 'string') types.push(candidate.type);
    current = candidate.originalError ?? candidate.cause;
  }
  return types;
}

/** True when the broker rejected the records themselves, so retrying them cannot help. */
export function isPermanentPublishError(err: unknown): boolean {
  return kafkaErrorTypes(err).some((type) => PERMANENT_KAFKA_ERRORS.has(type));
}

/** True when the broker refused the records for their size. */
export function isTooLargeError(err: unknown): boolean {
  return kafkaErrorTypes(err).some(
    (type) => type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE',
  );
}
