/**
 * Runs tasks one at a time in the order they were pushed. A failed task does not stop the queue: its
 * error goes to whoever pushed it and the next task runs.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task pushed so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
