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

/** Messages waiting for a produce request. */
export interface QueuedSend {
  /** Resolves once Kafka acknowledged the messages; rejects if it refused them or they were withdrawn. */
  acked: Promise<void>;
  /** Takes the messages out if they are still queued; true when they were. */
  withdraw(reason: unknown): boolean;
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
  private readonly waiting: Pending[] = [];
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

  /** Queues the messages for the next request; resolves once Kafka acknowledged them. */
  send(messages: OutgoingMessage[]): Promise<void> {
    return this.queue(messages).acked;
  }

  /**
   * Queues the messages for the next request. `withdraw` takes them out while they still wait in
   * the queue (rejecting `acked` with its reason); once in a request, they go.
   */
  queue(messages: OutgoingMessage[]): QueuedSend {
    if (messages.length === 0) return { acked: Promise.resolve(), withdraw: () => false };
    let pending!: Pending;
    const acked = new Promise<void>((resolve, reject) => {
      pending = { messages, bytes: sizeOf(messages), resolve, reject };
    });
    this.waiting.push(pending);
    if (!this.flushing) void this.flush();
    return {
      acked,
      withdraw: (reason) => {
        const index = this.waiting.indexOf(pending);
        if (index === -1) return false;
        this.waiting.splice(index, 1);
        pending.reject(reason);
        return true;
      },
    };
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) await this.sendBatch(this.takeBatch());
    } finally {
      this.flushing = false;
    }
  }

  /** Whole `send` calls only, at least one, up to the limits. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.waiting.shift()!];
    let count = batch[0].messages.length;
    let bytes = batch[0].bytes;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (count + next.messages.length > this.maxMessages || bytes + next.bytes > this.maxBytes) {
        break;
      }
      batch.push(this.waiting.shift()!);
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

/** Plain loops: this runs for every event a webhook accepts, and was as costly as encoding it. */
function sizeOf(messages: OutgoingMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    bytes += byteLength(message.key) + byteLength(message.value);
    const headers = message.headers ?? {};
    for (const name in headers) {
      const value = headers[name];
      bytes += name.length;
      if (Array.isArray(value)) for (const item of value) bytes += byteLength(item);
      else bytes += byteLength(value);
    }
  }
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
