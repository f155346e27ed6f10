import type { Clock, TimerHandle } from '../clock';

interface Timer {
  handle: TimerHandle;
  at: number;
  callback: () => void;
}

/** A clock that moves only when a spec says so; due timers fire in time order as it moves. */
export class ManualClock implements Clock {
  private readonly timers = new Set<Timer>();

  constructor(private current = Date.parse('2026-01-02T03:00:00Z')) {}

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const handle = { id: Symbol('timer') };
    this.timers.add({ handle, at: this.current + Math.max(0, delayMs), callback });
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    for (const timer of this.timers) if (timer.handle === handle) this.timers.delete(timer);
  }

  /** Moves time forward, firing every timer that comes due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = [...this.timers]
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
