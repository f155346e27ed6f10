import type { OutgoingMessage } from '@flint/kafka';
import { isPermanentPublishError } from '@flint/kafka';

/** The part of `EventProducer` that sends; resolves once Kafka acknowledged every message. */
export interface MessageSender {
  send(topic: string, messages: OutgoingMessage[]): Promise<unknown>;
}

export interface CoalescingSenderOptions {
  /** Most messages in one produce request. */
  maxMessages?: number;
  /**
   * Most bytes in one produce request. Kept well under the broker's default 1 MB record batch
   * limit, since one source's messages share a key and so a partition and a record batch.
   */
  maxBytes?: number;
}

interface Pending {
  messages: OutgoingMessage[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends messages to one topic, one produce request at a time, gathering whatever arrives while a
 * request is in flight into the next one. The producer allows a single request in flight (for
 * idempotence), so without this, concurrent webhook calls would each wait for a round trip in turn.
 * Each `send` is one attempt: its messages are acknowledged together or it rejects.
 */
export class CoalescingSender {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  constructor(
    private readonly sender: MessageSender,
    readonly topic: string,
    options: CoalescingSenderOptions = {},
  ) {
    this.maxMessages = options.maxMessages ?? 1000;
    this.maxBytes = options.maxBytes ?? 512 * 1024;
  }

  /**
   * Queues the messages for the next request. Aborting `signal` while they still wait in the queue
   * takes them out (rejecting with the signal's reason); once in a request, they go.
   */
  send(messages: OutgoingMessage[], signal?: AbortSignal): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { messages, bytes: sizeOf(messages), resolve, reject };
      if (signal) {
        const withdraw = () => {
          const index = this.queue.indexOf(pending);
          if (index === -1) return;
          this.queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', withdraw, { once: true });
        const settled = () => signal.removeEventListener('abort', withdraw);
        pending.resolve = () => {
          settled();
          resolve();
        };
        pending.reject = (err) => {
          settled();
          reject(err);
        };
      }
      this.queue.push(pending);
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.sendBatch(this.takeBatch());
    } finally {
      this.flushing = false;
    }
  }

  /** Whole `send` calls only, at least one, up to the limits. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.queue.shift()!];
    let count = batch[0].messages.length;
    let bytes = batch[0].bytes;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (count + next.messages.length > this.maxMessages || bytes + next.bytes > this.maxBytes) {
        break;
      }
      batch.push(this.queue.shift()!);
      count += next.messages.length;
      bytes += next.bytes;
    }
    return batch;
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    try {
      await this.sender.send(
        this.topic,
        batch.flatMap((pending) => pending.messages),
      );
      for (const pending of batch) pending.resolve();
    } catch (err) {
      if (batch.length > 1 && isPermanentPublishError(err)) {
        // One caller's records were refused; send each caller's alone so the others still go through.
        for (const pending of batch) await this.sendBatch([pending]);
        return;
      }
      for (const pending of batch) pending.reject(err);
    }
  }
}

function sizeOf(messages: OutgoingMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    bytes += byteLength(message.key) + byteLength(message.value);
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      bytes +=
        name.length +
        (Array.isArray(value) ? value : [value]).reduce<number>(
          (sum, item) => sum + byteLength(item ?? null),
          0,
        );
    }
  }
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
