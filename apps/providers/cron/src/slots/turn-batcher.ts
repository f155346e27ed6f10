/** Carries out many calls at once: per call, in order, its result. */
export type TurnBatchCall<I, O> = (items: I[]) => Promise<O[]>;

export interface TurnBatcherOptions<I> {
  /** Most calls in one batch. */
  maxBatch: number;
  /** Calls with the same key never share a batch; a later one goes in a batch of its own. */
  keyOf(item: I): string;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * Gathers the calls made in one turn of the event loop into batch calls. Every schedule due on the
 * same second wakes on the same timer turn, so their slot claims (or marks) become one statement
 * instead of one each, without waiting for anything but the end of the turn. The batches of a turn
 * go out at once, side by side. A failed batch call rejects exactly its own callers.
 */
export class TurnBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;

  constructor(
    private readonly batchCall: TurnBatchCall<I, O>,
    private readonly options: TurnBatcherOptions<I>,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a whole number above 0, got ${options.maxBatch}`);
    }
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    while (queue.length > 0) void this.send(takeBatch(queue, this.options));
  }

  private async send(batch: Pending<I, O>[]): Promise<void> {
    let results: O[];
    try {
      results = await this.batchCall(batch.map((pending) => pending.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} calls returned ${results.length} results`);
      }
    } catch (err) {
      for (const pending of batch) pending.reject(err);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(results[index] as O));
  }
}

/** Takes the oldest calls up to `maxBatch`, each key once, out of `queue`; the rest keep their order. */
function takeBatch<I, O>(queue: Pending<I, O>[], options: TurnBatcherOptions<I>): Pending<I, O>[] {
  const batch: Pending<I, O>[] = [];
  const keys = new Set<string>();
  const rest: Pending<I, O>[] = [];
  for (const pending of queue) {
    const key = options.keyOf(pending.item);
    if (batch.length < options.maxBatch && !keys.has(key)) {
      keys.add(key);
      batch.push(pending);
    } else {
      rest.push(pending);
    }
  }
  queue.splice(0, queue.length, ...rest);
  return batch;
}
