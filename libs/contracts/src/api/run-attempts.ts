import type { RunDetail } from './history';

/**
 * How many attempts a run made, as the CLI and the console show it. "1 of 3" on a run that failed
 * for good after one attempt reads as if two more were coming, so a failure that was not retried (a
 * local workflow's own error, an HTTP 4xx, an unknown workflow) says so instead.
 */
export function describeAttempts(
  run: Pick<RunDetail, 'status' | 'attempts' | 'maxAttempts' | 'error'>,
): string {
  if (run.status === 'FAILED' && run.attempts < run.maxAttempts) {
    const cause = run.error ? `${run.error.type} is final` : 'the failure is final';
    return `${run.attempts} (not retried: ${cause})`;
  }
  return `${run.attempts} of ${run.maxAttempts}`;
}
