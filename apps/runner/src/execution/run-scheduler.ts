import { errorText, type Log, WakeLoop, within } from '@flint/common';
import type {
  CancelRequested,
  RunAttemptRepository,
  RunConcurrencyRepository,
  TakenRun,
} from '@flint/store';

export interface RunSchedulerOptions {
  holder: string;
  pollIntervalMs: number;
  maxInFlight: number;
  leaseGraceMs: number;
  log: Log;
  onInFlightChange?(count: number): void;
  /** Runs this runner works on whose cancellation was asked for: abort their attempts. */
  onCancelRequested?(runs: CancelRequested[]): void;
}

/**
 * Carries out due runs from the database, so neither a retry's wait nor a long workflow holds up the
 * Kafka partition its request came from, and a restart loses nothing: every run that is due, waits for
 * a retry, or was abandoned by a dead runner (expired lease) is in the runs table. It looks every
 * poll interval, at once when notified (a run was claimed or admitted), and when a retry it scheduled
 * itself falls due. Each poll interval it also asks which of its runs were cancelled meanwhile.
 */
export class RunScheduler {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loop: WakeLoop;
  private lastAdmitAt = 0;
  private lastCancelCheckAt = 0;
  /** The last look found at least as many due runs as there was room for: some may be waiting. */
  private full = false;
  /** Slots promised to runs being leased as they are claimed (`reserve`), not in flight yet. */
  private reserved = 0;

  constructor(
    private readonly runs: {
      attempts: RunAttemptRepository;
      concurrency: RunConcurrencyRepository;
    },
    private readonly execute: (run: TakenRun) => Promise<void>,
    private readonly options: RunSchedulerOptions,
  ) {
    this.loop = new WakeLoop(() => this.takeDueRuns(), {
      intervalMs: options.pollIntervalMs,
      onError: (err) =>
        options.log(
          'warn',
          `looking for due runs failed; trying again in ${options.pollIntervalMs} ms`,
          {
            error: errorText(err),
          },
        ),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Look for due runs now rather than at the next poll. */
  notify(): void {
    this.loop.wake();
  }

  /** Look again at `at`, when that is sooner than the next poll. */
  wakeAt(at: Date): void {
    this.loop.wakeAt(at.getTime());
  }

  /**
   * Promises up to `wanted` slots to runs the claim leases itself (and then hands to `adopt`): as
   * many as are free, none while the last look left due runs waiting for room, so that those (and
   * the priority rule among them) still go first. None once stopping.
   */
  reserve(wanted: number): number {
    if (!this.loop.running || this.full) return 0;
    const free = this.options.maxInFlight - this.inFlight.size - this.reserved;
    const granted = Math.max(0, Math.min(wanted, free));
    this.reserved += granted;
    return granted;
  }

  /** Carries out runs leased with slots from `reserve(…)` = `reserved`; the unused slots are free again. */
  adopt(reserved: number, runs: readonly TakenRun[]): void {
    this.reserved -= reserved;
    for (const run of runs) this.track(this.execute(run));
  }

  /**
   * Stops taking runs and waits up to `drainTimeoutMs` for attempts in flight. Attempts still running
   * then keep their leases, which expire, and the runs are recovered by whichever runner comes next.
   */
  async stop(drainTimeoutMs: number): Promise<void> {
    await this.loop.stop();
    await within(Promise.allSettled([...this.inFlight]), drainTimeoutMs);
    if (this.inFlight.size > 0) {
      this.options.log(
        'warn',
        'stopped with attempts still running; their runs are recovered when their leases expire',
        { inFlight: this.inFlight.size },
      );
    }
  }

  private async takeDueRuns(): Promise<void> {
    // Due runs first: a run just claimed (the notify of a claim) should not wait behind the
    // once-a-poll admission and cancellation look-ups, which are round trips of their own.
    const capacity = this.options.maxInFlight - this.inFlight.size - this.reserved;
    const taken = await this.runs.attempts.takeDue(
      this.options.holder,
      capacity,
      this.options.leaseGraceMs,
    );
    this.full = taken.length >= capacity;
    for (const run of taken) this.track(this.execute(run));
    if (Date.now() - this.lastAdmitAt >= this.options.pollIntervalMs) {
      this.lastAdmitAt = Date.now();
      // Admitted runs are due now: the next turn follows at once.
      if ((await this.runs.concurrency.admitAllQueued()).length > 0) this.notify();
    }
    if (
      this.inFlight.size > 0 &&
      Date.now() - this.lastCancelCheckAt >= this.options.pollIntervalMs
    ) {
      this.lastCancelCheckAt = Date.now();
      const cancelled = await this.runs.attempts.cancelRequested(this.options.holder);
      if (cancelled.length > 0) this.options.onCancelRequested?.(cancelled);
    }
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    this.options.onInFlightChange?.(this.inFlight.size);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      this.options.onInFlightChange?.(this.inFlight.size);
      // A freed slot lets a waiting run in, if the last look left any behind for want of room.
      if (this.loop.running && this.full) this.notify();
    });
  }
}
