import { backoffDelay, errorText, type Log } from '@flint/common';
import { type RetryPolicy, waitWithHeartbeat } from './batch-retry';
import { type DeadLetterCause, deadLetterCause, deadLetterRecord } from './dead-letter';
import { isTransientError } from './failure-kinds';
import type { IncomingMessage, OutgoingRecord } from './messages';

/** A message that decoded cleanly, with the message it came from. */
export interface Decoded<T> {
  value: T;
  message: IncomingMessage;
}

/** What a batch handler may use while it works on one topic-partition's batch. */
export interface BatchContext {
  topic: string;
  partition: number;
  /** Call during long work so the group does not reassign the partition. */
  heartbeat(): Promise<void>;
  /** True once the consumer is shutting down; a handler may finish early and throw. */
  isStopping(): boolean;
}

export type Decode<T> = (message: IncomingMessage) => T;
export type BatchHandler<T> = (items: Decoded<T>[], ctx: BatchContext) => Promise<OutgoingRecord[]>;

export interface BatchProcessorOptions<T> {
  decode: Decode<T>;
  handle: BatchHandler<T>;
  dlqTopic: string;
  retry: RetryPolicy;
  /** Produces records and resolves only once Kafka has acknowledged all of them. */
  send: (records: OutgoingRecord[]) => Promise<unknown>;
  log: Log;
  now?: () => Date;
}

/** The batch was given up because the consumer is stopping; nothing of it may be committed. */
export class BatchAbandonedError extends Error {
  override readonly name = 'BatchAbandonedError';
}

/** A step kept failing through every retry; the batch must be replayed, not committed. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
}

/**
 * Takes one topic-partition batch from raw messages to acknowledged output: undecodable messages go
 * to the dead-letter topic, the rest to the handler, and the handler's records to Kafka. It resolves
 * only when everything the batch produces is acknowledged; only then may the caller commit.
 *
 * Outages (Kafka or the database unreachable; see `isTransientError`) are retried with backoff; a
 * step is never repeated once it has succeeded, except that a replayed batch (after a crash or
 * exhausted retries) runs again in full — at least once, never lost. Any other failure is some
 * message's own: the batch is split in halves until the message at fault is alone, that message is
 * dead-lettered with the error, and the rest go on. No single message can stop a partition.
 */
export class BatchProcessor<T> {
  private readonly now: () => Date;

  constructor(private readonly options: BatchProcessorOptions<T>) {
    this.now = options.now ?? (() => new Date());
  }

  async process(messages: IncomingMessage[], ctx: BatchContext): Promise<void> {
    const decoded: Decoded<T>[] = [];
    const deadLetters: OutgoingRecord[] = [];
    for (const message of messages) {
      try {
        decoded.push({ value: this.options.decode(message), message });
      } catch (err) {
        deadLetters.push(this.deadLetter(message, deadLetterCause(err)));
      }
    }
    if (deadLetters.length > 0) {
      await this.withRetries('producing dead letters', ctx, () => this.options.send(deadLetters));
    }
    if (decoded.length > 0) await this.handleAndSend(decoded, ctx);
  }

  /**
   * Handles items and produces their output; on a failure that is not an outage, splits the items
   * to find the one at fault. Handlers are idempotent (a replay runs them again), so running a half
   * again after the whole failed is safe.
   */
  private async handleAndSend(items: Decoded<T>[], ctx: BatchContext): Promise<void> {
    try {
      const output = await this.withRetries('handling the batch', ctx, () =>
        this.options.handle(items, ctx),
      );
      if (output.length > 0) {
        await this.withRetries('producing the output', ctx, () => this.options.send(output));
      }
    } catch (err) {
      if (!(err instanceof MessageFaultError)) throw err;
      const [only] = items;
      if (items.length === 1 && only !== undefined) {
        const record = this.deadLetter(only.message, {
          reason: 'processing-failed',
          error: errorText(err.cause),
        });
        await this.withRetries('producing dead letters', ctx, () => this.options.send([record]));
        return;
      }
      const half = Math.ceil(items.length / 2);
      await this.handleAndSend(items.slice(0, half), ctx);
      await this.handleAndSend(items.slice(half), ctx);
    }
  }

  private deadLetter(message: IncomingMessage, cause: DeadLetterCause): OutgoingRecord {
    this.options.log('warn', 'message sent to the dead-letter topic', {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      dlqTopic: this.options.dlqTopic,
      ...cause,
    });
    return deadLetterRecord(message, cause, this.options.dlqTopic, this.now());
  }

  private async withRetries<R>(step: string, ctx: BatchContext, run: () => Promise<R>): Promise<R> {
    const { retry, log } = this.options;
    for (let attempt = 1; ; attempt++) {
      if (ctx.isStopping() && attempt > 1) {
        throw new BatchAbandonedError(`stopped while retrying ${step}; the batch will be replayed`);
      }
      try {
        return await run();
      } catch (err) {
        if (ctx.isStopping()) {
          // Shutting down closes connections under the handler: what fails now proves nothing
          // about the messages, so none is dead-lettered; the batch is replayed.
          throw new BatchAbandonedError(`stopped while ${step}; the batch will be replayed`);
        }
        if (!isTransientError(err)) throw new MessageFaultError(step, err);
        const where = {
          topic: ctx.topic,
          partition: ctx.partition,
          attempt,
          error: errorText(err),
        };
        if (attempt >= retry.attempts) {
          throw new RetriesExhaustedError(
            `${step} failed ${attempt} times for ${ctx.topic}[${ctx.partition}]: ${errorText(err)}`,
          );
        }
        const delayMs = backoffDelay(attempt, retry);
        log('warn', `${step} failed; retrying in ${delayMs} ms`, where);
        await waitWithHeartbeat(
          delayMs,
          () => ctx.heartbeat(),
          () => ctx.isStopping(),
        );
      }
    }
  }
}

/** A step failed for a reason of the messages it was given, not an outage; retrying cannot help. */
class MessageFaultError extends Error {
  override readonly name = 'MessageFaultError';

  constructor(step: string, cause: unknown) {
    super(`${step} failed: ${errorText(cause)}`, { cause });
  }
}
