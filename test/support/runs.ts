import {
  RunAttemptRepository,
  RunClaimRepository,
  RunConcurrencyRepository,
  RunHistoryRepository,
  type Store,
} from '@flint/store';

/** The repositories of the runs table family, as the runner and the history API use them. */
export interface RunRepositories {
  claims: RunClaimRepository;
  attempts: RunAttemptRepository;
  concurrency: RunConcurrencyRepository;
  history: RunHistoryRepository;
}

export function runRepositories(store: Store): RunRepositories {
  return {
    claims: new RunClaimRepository(store),
    attempts: new RunAttemptRepository(store),
    concurrency: new RunConcurrencyRepository(store),
    history: new RunHistoryRepository(store),
  };
}
