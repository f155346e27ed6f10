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
