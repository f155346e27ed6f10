import type { RunRepository, TakenRun } from '@flint/store';
import { errorText, type RunnerLog } from '../runner-log';

export interface RunSchedulerOptions {
  holder: string;
  pollIntervalMs: number;
  maxInFlight: number;
  leaseGraceMs: number;
  log: RunnerLog;
  onInFlightChange?(count: number): void;
}

/**
 * Carries out due runs from the database, so neither a retry's wait nor a long workflow holds up the
 * Kafka partition its request came from, and a restart loses nothing: every run that is due, waits for
 * a retry, or was abandoned by a dead runner (expired lease) is in the runs table. It looks every
 * poll interval, at once when notified (a run was claimed or admitted), and when a retry it scheduled
 * itself falls due.
 */
export class RunScheduler {
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private notified = false;
  private wake: (() => void) | undefined;
  private lastAdmitAt = 0;
  /** The last look found at least as many due runs as there was room for: some may be waiting. */
  private full = false;

  constructor(
    private readonly repository: RunRepository,
    private readonly execute: (run: TakenRun) => Promise<void>,
    private readonly options: RunSchedulerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop();
  }

  /** Look for due runs now rather than at the next poll. */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /** Look again at `at`, when that is sooner than the next poll. */
  wakeAt(at: Date): void {
    const ms = at.getTime() - Date.now();
    if (ms >= this.options.pollIntervalMs) return;
    setTimeout(() => this.notify(), Math.max(0, ms)).unref();
  }

  /**
   * Stops taking runs and waits up to `drainTimeoutMs` for attempts in flight. Attempts still running
   * then keep their leases, which expire, and the runs are recovered by whichever runner comes next.
   */
  async stop(drainTimeoutMs: number): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, drainTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (this.inFlight.size > 0) {
      this.options.log.warn(
        { inFlight: this.inFlight.size },
        'stopped with attempts still running; their runs are recovered when their leases expire',
      );
    }
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      this.notified = false;
      await this.tick();
      await this.sleep();
    }
  }

  private async tick(): Promise<void> {
    try {
      if (Date.now() - this.lastAdmitAt >= this.options.pollIntervalMs) {
        this.lastAdmitAt = Date.now();
        await this.repository.admitAllQueued();
      }
      const capacity = this.options.maxInFlight - this.inFlight.size;
      const taken = await this.repository.takeDue(
        this.options.holder,
        capacity,
        this.options.leaseGraceMs,
      );
      this.full = taken.length >= capacity;
      for (const run of taken) this.track(this.execute(run));
    } catch (err) {
      this.options.log.warn(
        { error: errorText(err) },
        `looking for due runs failed; trying again in ${this.options.pollIntervalMs} ms`,
      );
    }
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    this.options.onInFlightChange?.(this.inFlight.size);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      this.options.onInFlightChange?.(this.inFlight.size);
      // A freed slot lets a waiting run in, if the last look left any behind for want of room.
      if (this.running && this.full) this.notify();
    });
  }

  private sleep(): Promise<void> {
    if (!this.running || this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      timer.unref();
      this.wake = done;
    });
  }
}
