/**
 * Runs at most `limit` tasks at once, for protocols that acknowledge each message on its own
 * (JetStream, AMQP, MQTT): while `limit` messages are being published, `add` waits, so the kind takes
 * no more (back-pressure). The first task that fails is remembered and rethrown by the next `add` or
 * by `drain`, which ends the connection (and the subscriber reconnects).
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.running.size >= this.limit) {
      await Promise.race(this.running);
      this.throwIfFailed();
    }
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Waits for every task started so far; rejects if any failed. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
