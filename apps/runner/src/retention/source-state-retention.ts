import { type Clock, errorText, type Log, WakeLoop } from '@flint/common';
import {
  type DeletedSourceStateRepository,
  SOURCE_STATE_TABLES,
  type SourceStateTable,
} from '@flint/store';

export interface SourceStateRetentionOptions {
  state: Pick<DeletedSourceStateRepository, 'prune'>;
  clock: Clock;
  /** Rows of sources deleted longer ago than this are deleted. */
  retentionMs: number;
  intervalMs: number;
  /** Most rows deleted per statement, so no transaction holds its locks for long. */
  batchSize: number;
  log: Log;
  onPruned?: (table: SourceStateTable, count: number) => void;
}

/**
 * The retention of what providers kept about sources that were deleted (`SOURCE_STATE_TABLES`), kept
 * by every runner replica beside the runs retention: every `intervalMs`, the rows of sources deleted
 * longer than the retention ago go, a batch at a time per table. Live sources are never touched.
 */
export class SourceStateRetention {
  private readonly loop: WakeLoop;

  constructor(private readonly options: SourceStateRetentionOptions) {
    this.loop = new WakeLoop(() => this.pruneOnce().then(() => undefined), {
      intervalMs: options.intervalMs,
      clock: options.clock,
      onError: (err) =>
        options.log('warn', 'deleting the state of deleted sources failed; trying again later', {
          error: errorText(err),
        }),
    });
  }

  /** Deletes every row past the retention; returns how many per table (tables with none left out). */
  async pruneOnce(): Promise<Partial<Record<SourceStateTable, number>>> {
    const { state, clock, retentionMs, batchSize } = this.options;
    const before = new Date(clock.now() - retentionMs);
    const pruned: Partial<Record<SourceStateTable, number>> = {};
    for (const table of SOURCE_STATE_TABLES) {
      let total = 0;
      for (;;) {
        const deleted = await state.prune(table, before, batchSize);
        total += deleted;
        if (deleted < batchSize) break;
      }
      if (total === 0) continue;
      pruned[table] = total;
      this.options.onPruned?.(table, total);
    }
    if (Object.keys(pruned).length > 0) {
      this.options.log('info', 'deleted the state of sources deleted before the retention', {
        ...pruned,
        deletedBefore: before.toISOString(),
      });
    }
    return pruned;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
