import { type Clock, errorText, type Log, WakeLoop } from '@flint/common';
import type { RunRetentionRepository } from '@flint/store';

export interface RunRetentionOptions {
  runs: Pick<RunRetentionRepository, 'pruneFinished'>;
  clock: Clock;
  /** Finished runs older than this are deleted, with their attempts. */
  retentionMs: number;
  /** How often to look for runs past the retention. */
  intervalMs: number;
  /** Most runs deleted per statement, so no transaction holds its locks for long. */
  batchSize: number;
  log: Log;
  onPruned?: (count: number) => void;
}

/**
 * The runs table's retention, kept by every runner replica (replicas skip each other's rows): every
 * `intervalMs`, finished runs older than the retention are deleted, a batch at a time, until none
 * is left. Runs still in progress are never touched, however old.
 */
export class RunRetention {
  private readonly loop: WakeLoop;

  constructor(private readonly options: RunRetentionOptions) {
    this.loop = new WakeLoop(() => this.pruneOnce().then(() => undefined), {
      intervalMs: options.intervalMs,
      clock: options.clock,
      onError: (err) =>
        options.log('warn', 'deleting runs past their retention failed; trying again later', {
          error: errorText(err),
        }),
    });
  }

  /** Deletes every finished run past the retention; returns how many. */
  async pruneOnce(): Promise<number> {
    const { runs, clock, retentionMs, batchSize } = this.options;
    const before = new Date(clock.now() - retentionMs);
    let total = 0;
    for (;;) {
      const deleted = await runs.pruneFinished(before, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
    }
    if (total > 0) {
      this.options.onPruned?.(total);
      this.options.log('info', 'deleted finished runs past their retention', {
        runs: total,
        finishedBefore: before.toISOString(),
      });
    }
    return total;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
