/** Carries out many calls at once: per call, in order, its result or its own error. */
export type BatchCall<I, O> = (items: I[]) => Promise<(O | Error)[]>;

export interface CallBatcherOptions<I> {
  /** Most calls in one batch. */
  maxBatch: number;
  /** Calls with the same key never share a batch; a later one waits for the next. */
  keyOf(item: I): string;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * Turns concurrent single calls into batch calls, one batch in flight at a time: whatever arrives
 * while a batch is in flight goes into the next one. So under load one database statement records
 * the writes of many runs instead of each run paying its own round trip, and when idle a call goes
 * out at once. A caller's promise settles only when its own batch has: with its own result, with its
 * own error, or with the batch's error when the whole batch failed (and then only that batch's
 * callers see it).
 */
export class CallBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private flushing = false;

  constructor(
    private readonly batchCall: BatchCall<I, O>,
    private readonly options: CallBatcherOptions<I>,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a whole number above 0, got ${options.maxBatch}`);
    }
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
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
    this.queue.splice(0, this.queue.length, ...rest);
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
