import type { Clock, TimerHandle } from '@flint/common';

interface Timer {
  at: number;
  callback: () => void;
  handle: TimerHandle;
}

/**
 * The time of a backtest: it stands at the archived event being replayed, and moves only forward.
 * Moving it fires the timers that come due on the way (batch timeouts, debounces, delayed runs)
 * one by one, earliest first, each at its own time, and lets the work each starts finish before the
 * next: the stores of a simulation answer at once, so one turn of the event loop is enough.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private readonly timers = new Set<Timer>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Nothing in an evaluator pass sleeps; a sleep simply ends when time reaches it. */
  async sleep(ms: number): Promise<void> {
    await this.advanceTo(this.current + Math.max(0, ms));
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const handle = { id: Symbol('simulated timer') };
    this.timers.add({ at: this.current + Math.max(0, delayMs), callback, handle });
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    for (const timer of this.timers) if (timer.handle === handle) this.timers.delete(timer);
  }

  /** Moves time to `time` (never back), firing the timers due up to it. */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      let due: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= time && (due === undefined || timer.at < due.at)) due = timer;
      }
      if (due === undefined) break;
      this.timers.delete(due);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = Math.max(this.current, time);
  }
}
