import {
  DeadLetterRepository,
  DeletedSourceStateRepository,
  RunRetentionRepository,
  SOURCE_STATE_TABLES,
  type Store,
} from '@flint/store';
import type { RetainedTable } from './table-retention';

export interface RetentionPeriods {
  /** Finished runs (and their attempts), after they finished. */
  runsMs: number;
  /** What providers kept about a deleted source, after it was deleted. */
  deletedSourceStateMs: number;
  /** Dead letters, after they failed. */
  deadLettersMs: number;
}

/** Every table the runner keeps a retention for, and how its old rows go. */
export function retainedTables(store: Store, periods: RetentionPeriods): RetainedTable[] {
  const runs = new RunRetentionRepository(store);
  const sourceState = new DeletedSourceStateRepository(store);
  const deadLetters = new DeadLetterRepository(store);
  return [
    {
      table: 'runs',
      retentionMs: periods.runsMs,
      prune: (before, batchSize) => runs.pruneFinished(before, batchSize),
    },
    ...SOURCE_STATE_TABLES.map((table): RetainedTable => ({
      table,
      retentionMs: periods.deletedSourceStateMs,
      prune: (before, batchSize) => sourceState.prune(table, before, batchSize),
    })),
    {
      table: 'dead_letters',
      retentionMs: periods.deadLettersMs,
      prune: (before, batchSize) => deadLetters.pruneFailedBefore(before, batchSize),
    },
  ];
}
