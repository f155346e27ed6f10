/**
 * Caps concurrent requests per host across all poll jobs of a process, so many sources pointed at
 * one API do not flood it. Waiters are served in arrival order.
 */
export class HostLimiter {
  private readonly hosts = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(readonly maxPerHost: number) {
    if (!Number.isInteger(maxPerHost) || maxPerHost < 1) {
      throw new Error(`maxPerHost must be a whole number of at least 1, got ${maxPerHost}`);
    }
  }

  /** Runs `fn` once the host has a free slot; rejects with the signal's reason if aborted first. */
  async run<T>(host: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.acquire(host, signal);
    try {
      return await fn();
    } finally {
      this.release(host);
    }
  }

  /** Requests running now for a host. */
  active(host: string): number {
    return this.hosts.get(host)?.active ?? 0;
  }

  private acquire(host: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let entry = this.hosts.get(host);
    if (!entry) this.hosts.set(host, (entry = { active: 0, waiting: [] }));
    if (entry.active < this.maxPerHost) {
      entry.active += 1;
      return Promise.resolve();
    }
    const queue = entry;
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        queue.waiting.splice(queue.waiting.indexOf(grant), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.waiting.push(grant);
    });
  }

  private release(host: string): void {
    const entry = this.hosts.get(host);
    if (!entry) return;
    const next = entry.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) return next();
    entry.active -= 1;
    if (entry.active === 0) this.hosts.delete(host);
  }
}
