/** Carries out many calls at once: per call, in order, its result or its own error. */
export type BatchCall<I, O> = (items: I[]) => Promise<(O | Error)[]>;

/**
 * When gathered calls go out.
 * - `one-in-flight`: a call goes out at once when no batch is in flight; whatever arrives while one
 *   is gathers into the next. Under load one round trip carries many calls, idle calls wait for nothing.
 * - `end-of-turn`: the calls of one turn of the event loop go out together when the turn ends, their
 *   batches side by side. Calls woken by one timer (every schedule due on the same second) become one
 *   batch without waiting for anything but the end of the turn.
 */
export type BatchFlush = 'one-in-flight' | 'end-of-turn';

export interface BatcherOptions<I> {
  flush: BatchFlush;
  /** Most calls in one batch. */
  maxBatch: number;
  /** Calls with the same key never share a batch; a later one goes in a later batch. */
  keyOf(item: I): string;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * Turns single calls into batch calls. A caller's promise settles only when its own batch has: with
 * its own result, with its own error, or with the batch's error when the whole batch failed (and then
 * only that batch's callers see it).
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  /** A flush is under way (`one-in-flight`) or due at the end of this turn (`end-of-turn`). */
  private flushing = false;

  constructor(
    private readonly batchCall: BatchCall<I, O>,
    private readonly options: BatcherOptions<I>,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a whole number above 0, got ${options.maxBatch}`);
    }
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      if (this.options.flush === 'end-of-turn') setImmediate(() => this.flushTurn());
      else void this.flushOneAtATime();
    });
  }

  private flushTurn(): void {
    this.flushing = false;
    while (this.queue.length > 0) void this.send(this.takeBatch());
  }

  private async flushOneAtATime(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.send(this.takeBatch());
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest calls up to `maxBatch`, each key once; calls left behind keep their order. */
  private takeBatch(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    const rest: Pending<I, O>[] = [];
    for (const pending of this.queue) {
      const key = this.options.keyOf(pending.item);
      if (batch.length < this.options.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(pending);
      } else {
        rest.push(pending);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Pending<I, O>[]): Promise<void> {
    let results: (O | Error)[];
    try {
      results = await this.batchCall(batch.map((pending) => pending.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} calls returned ${results.length} results`);
      }
    } catch (err) {
      for (const pending of batch) pending.reject(err);
      return;
    }
    batch.forEach((pending, index) => {
      const result = results[index];
      if (result instanceof Error) pending.reject(result);
      else pending.resolve(result as O);
    });
  }
}
