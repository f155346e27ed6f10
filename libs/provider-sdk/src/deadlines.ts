/**
 * Calls each callback at its deadline (ms since the epoch), with one timer for all of them: the one
 * for the earliest deadline. Cheaper than a timer each when many are pending and few expire, as
 * with the acknowledgement timeouts of concurrent emits.
 */
export class Deadlines {
  private readonly pending = new Set<{ at: number; expire: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  /** Calls `expire` at `at` unless the returned function is called first. */
  add(at: number, expire: () => void): () => void {
    const entry = { at, expire };
    this.pending.add(entry);
    if (at < this.armedAt) this.arm(at);
    return () => {
      this.pending.delete(entry);
      if (this.pending.size === 0) this.disarm();
    };
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  /** Expires what is due and arms the timer for the earliest deadline left. */
  private expire(): void {
    this.disarm();
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.pending) {
      if (entry.at <= now) {
        this.pending.delete(entry);
        entry.expire();
      } else {
        next = Math.min(next, entry.at);
      }
    }
    if (next !== Number.POSITIVE_INFINITY && this.pending.size > 0) this.arm(next);
  }
}
