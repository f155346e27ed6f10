import { type Clock, systemClock, type TimerHandle } from './clock';

export interface WakeLoopOptions {
  /** Longest wait between two turns. */
  intervalMs: number;
  /** Called with what a turn threw; the loop goes on at the next interval. */
  onError(error: unknown): void;
  clock?: Clock;
}

/**
 * A background loop that takes a turn every interval, and at once when woken: how the run scheduler
 * looks for due runs and the outbox relay for unpublished records. A wake during a turn makes the next
 * turn start right after it, so no wake is lost; `stop()` waits for the turn in progress.
 */
export class WakeLoop {
  private readonly clock: Clock;
  private loop: Promise<void> | undefined;
  private active = false;
  private woken = false;
  private interrupt: (() => void) | undefined;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly turn: () => Promise<void>,
    private readonly options: WakeLoopOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** True from `start()` until `stop()`; a long turn checks it to give up early. */
  get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  /** Takes a turn now rather than at the next interval. */
  wake(): void {
    this.woken = true;
    this.interrupt?.();
  }

  /** Takes a turn at `at` (epoch ms), when that comes before the next interval would. */
  wakeAt(at: number): void {
    const delayMs = at - this.clock.now();
    if (delayMs >= this.options.intervalMs) return;
    const timer = this.clock.setTimer(() => {
      this.timers.delete(timer);
      this.wake();
    }, delayMs);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.active = false;
    for (const timer of this.timers) this.clock.clearTimer(timer);
    this.timers.clear();
    this.interrupt?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (this.active) {
      this.woken = false;
      try {
        await this.turn();
      } catch (err) {
        this.options.onError(err);
      }
      if (this.active && !this.woken) await this.pause();
    }
  }

  private async pause(): Promise<void> {
    const interrupted = new AbortController();
    this.interrupt = () => interrupted.abort();
    await this.clock.sleep(this.options.intervalMs, interrupted.signal);
    this.interrupt = undefined;
  }
}
