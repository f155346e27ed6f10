import type { Clock, TimerHandle } from '../clock';

interface Pending {
  at: number;
  /** A timer's callback, or what resolves a sleep. */
  fire: () => void;
  handle?: TimerHandle;
}

/**
 * A clock that moves only when a test says so. Moving it fires the timers and ends the sleeps that
 * come due on the way, earliest first, with `now()` at each one's time as it fires.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly pending = new Set<Pending>();

  constructor(start: Date | string | number = '2026-01-02T03:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry: Pending = { at: this.current + Math.max(0, ms), fire: () => end() };
      const end = () => {
        this.pending.delete(entry);
        signal?.removeEventListener('abort', end);
        resolve();
      };
      signal?.addEventListener('abort', end, { once: true });
      this.pending.add(entry);
      if (ms <= 0) end();
    });
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const handle = { id: Symbol('timer') };
    const entry: Pending = {
      at: this.current + Math.max(0, delayMs),
      handle,
      fire: () => {
        this.pending.delete(entry);
        callback();
      },
    };
    this.pending.add(entry);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    for (const entry of this.pending) if (entry.handle === handle) this.pending.delete(entry);
  }

  /** Sleeps waiting; lets a test wait until the code under test is idle. */
  get pendingSleeps(): number {
    return [...this.pending].filter((entry) => entry.handle === undefined).length;
  }

  get pendingTimers(): number {
    return [...this.pending].filter((entry) => entry.handle !== undefined).length;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Moves time forward to `time`; it never goes back. */
  set(time: Date | string | number): void {
    const target = new Date(time).getTime();
    if (target < this.current) throw new Error('ManualClock cannot go backwards');
    for (;;) {
      const due = [...this.pending]
        .filter((entry) => entry.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = due.at;
      due.fire();
    }
    this.current = target;
  }
}
