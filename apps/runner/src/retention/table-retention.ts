import { type Clock, errorText, type Log, WakeLoop } from '@flint/common';

/** A table whose old rows go after a retention period. */
export interface RetainedTable {
  /** The table's name, for the log and `flint_store_pruned_rows_total{table}`. */
  table: string;
  /** Rows older than this are deleted. */
  retentionMs: number;
  /** Deletes at most `batchSize` rows older than `before`; resolves to how many it deleted. */
  prune(before: Date, batchSize: number): Promise<number>;
}

export interface TableRetentionOptions {
  tables: readonly RetainedTable[];
  clock: Clock;
  /** How often to look for rows past their retention. */
  intervalMs: number;
  /** Most rows deleted per statement, so no transaction holds its locks for long. */
  batchSize: number;
  log: Log;
  onPruned?: (table: string, count: number) => void;
}

/**
 * The retentions of the tables that grow with traffic (finished runs, the state of deleted sources,
 * dead letters), kept by every runner replica (a replica skips the rows another is deleting): every
 * `intervalMs`, each table's rows past its retention go, a batch at a time, until none is left. A
 * table whose pruning fails does not keep the others from theirs.
 */
export class TableRetention {
  private readonly loop: WakeLoop;

  constructor(private readonly options: TableRetentionOptions) {
    this.loop = new WakeLoop(() => this.pruneOnce().then(() => undefined), {
      intervalMs: options.intervalMs,
      clock: options.clock,
      onError: (err) =>
        options.log('warn', 'deleting rows past their retention failed; trying again later', {
          error: errorText(err),
        }),
    });
  }

  /**
   * Deletes every row past its table's retention; resolves to how many per table (tables with none
   * left out). Throws the first failure once every table had its turn.
   */
  async pruneOnce(): Promise<Record<string, number>> {
    const { tables, clock, batchSize, log } = this.options;
    const pruned: Record<string, number> = {};
    let failure: unknown;
    for (const { table, retentionMs, prune } of tables) {
      const before = new Date(clock.now() - retentionMs);
      let total = 0;
      try {
        for (;;) {
          const deleted = await prune(before, batchSize);
          total += deleted;
          if (deleted < batchSize) break;
        }
      } catch (err) {
        failure ??= err;
      }
      if (total === 0) continue;
      pruned[table] = total;
      this.options.onPruned?.(table, total);
      log('info', 'deleted rows past their retention', {
        table,
        rows: total,
        before: before.toISOString(),
      });
    }
    if (failure !== undefined) throw failure;
    return pruned;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
