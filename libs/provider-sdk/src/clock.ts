/** Time as providers see it; replaceable so schedules can be tested without waiting. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or as soon as `signal` is aborted (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

interface Sleeper {
  until: number;
  resolve: () => void;
}

/** A clock that moves only when told to, for unit tests of schedules and timeouts. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string | number = 0) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = { until: this.current + Math.max(0, ms), resolve };
      const wake = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      sleeper.resolve = wake;
      signal?.addEventListener('abort', wake, { once: true });
      this.sleepers.push(sleeper);
      if (ms <= 0) wake();
    });
  }

  /** How many sleeps are waiting; lets a test wait until the code under test is idle. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Moves time forward, waking every sleep that is due, earliest first. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(time: Date | string | number): void {
    const target = new Date(time).getTime();
    if (target < this.current) throw new Error('ManualClock cannot go backwards');
    const due = this.sleepers
      .filter((sleeper) => sleeper.until <= target)
      .sort((a, b) => a.until - b.until);
    this.current = target;
    for (const sleeper of due) sleeper.resolve();
  }
}
