import { backoffDelay, type Clock, errorText, type Log, type TimerHandle } from '@flint/common';
import type { DelayedRun } from './rate-limit-repository';

/** Where delayed run requests are kept; `EvaluatorRateLimitRepository` in production. */
export interface DelayedRunStore {
  delayed(partitions: readonly number[]): Promise<DelayedRun[]>;
  sent(runId: string): Promise<void>;
}

export interface DelayedRunsOptions {
  store: DelayedRunStore;
  clock: Clock;
  /** Produces the run request (its key is the run id); resolves once Kafka has it. */
  send: (run: DelayedRun) => Promise<void>;
  log: Log;
}

const RETRY = { initialMs: 1000, maxMs: 30_000 };

/**
 * Sends run requests a rate limit delayed when their slot comes. They are in the database before
 * the offsets of their events are committed; like batches, they belong to the partition of their
 * event, so the partition's owner sets their timers on assignment and one that came due while no one
 * owned it is sent at once. A request sent twice (a crash between sending and forgetting it) has the
 * same run id, which the runner starts once.
 */
export class DelayedRuns {
  private readonly timers = new Map<string, { partition: number; timer: TimerHandle }>();
  private readonly attempts = new Map<string, number>();
  private owned = new Set<number>();
  private stopped = false;

  constructor(private readonly options: DelayedRunsOptions) {}

  /** The partitions this evaluator now owns: loads their delayed runs, drops the timers of others. */
  async assign(partitions: readonly number[]): Promise<void> {
    const wanted = new Set(partitions);
    for (const [runId, entry] of [...this.timers]) {
      if (!wanted.has(entry.partition)) this.forget(runId);
    }
    const fresh = partitions.filter((partition) => !this.owned.has(partition));
    this.owned = wanted;
    for (const run of await this.options.store.delayed(fresh)) this.track(run);
  }

  /** A run just delayed (already in the store): its timer starts now. */
  track(run: DelayedRun): void {
    if (this.stopped || this.timers.has(run.runId)) return;
    const delayMs = Math.max(0, run.dueAt.getTime() - this.options.clock.now());
    const timer = this.options.clock.setTimer(() => void this.fire(run), delayMs);
    this.timers.set(run.runId, { partition: run.partition, timer });
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Drops every timer; the runs stay in the store for the next owner of their partition. */
  stop(): void {
    this.stopped = true;
    for (const runId of [...this.timers.keys()]) this.forget(runId);
  }

  private async fire(run: DelayedRun): Promise<void> {
    this.timers.delete(run.runId);
    try {
      await this.options.send(run);
      await this.options.store.sent(run.runId);
      this.attempts.delete(run.runId);
    } catch (err) {
      if (this.stopped) return;
      const attempt = (this.attempts.get(run.runId) ?? 0) + 1;
      this.attempts.set(run.runId, attempt);
      const delayMs = backoffDelay(attempt, RETRY);
      this.options.log('warn', 'sending a delayed run request failed; retrying', {
        triggerId: run.triggerId,
        runId: run.runId,
        attempt,
        delayMs,
        error: errorText(err),
      });
      this.track({ ...run, dueAt: new Date(this.options.clock.now() + delayMs) });
    }
  }

  private forget(runId: string): void {
    const entry = this.timers.get(runId);
    if (entry) this.options.clock.clearTimer(entry.timer);
    this.timers.delete(runId);
    this.attempts.delete(runId);
  }
}
