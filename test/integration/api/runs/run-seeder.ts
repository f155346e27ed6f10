import { randomUUID } from 'node:crypto';
import type { RunRequest } from '@flint/contracts';
import { type Store } from '@flint/store';
import { type RunRepositories, runRepositories } from '../../../support/runs';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';

export const HOLDER = 'runs-test-runner';
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A run request of `triggerId` as the evaluator would send it. */
export function runRequest(triggerId: string, owner: string, overrides: Partial<RunRequest> = {}) {
  const id = randomUUID().slice(0, 8);
  const now = new Date().toISOString();
  return {
    runId: `${triggerId}.${id}`,
    triggerId,
    triggerVersion: 1,
    owner,
    target: { type: 'local', workflow: 'echo', timeoutMs: 10_000 },
    input: { commit: id },
    eventIds: [`event-${id}`],
    retry: { maxAttempts: 2, backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 } },
    requestedAt: now,
    acceptedAt: now,
    traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
    provider: 'webhook',
    ...overrides,
  } as RunRequest;
}

/**
 * Runs as the runner records them, through its own repository: claimed, then (as the runner's lease
 * holder) attempted and finished.
 */
export class RunSeeder {
  readonly runs: RunRepositories;
  constructor(private readonly store: Store) {
    this.runs = runRepositories(store);
  }

  async claim(req: RunRequest): Promise<string> {
    await this.runs.claims.claim(
      [newRun(req, { topic: 'runs', partition: 0, offset: '1' }, 10_000)],
      {
        skippedMessages: () => [],
      },
    );
    return req.runId;
  }

  async succeed(req: RunRequest, result: unknown, logLines: string[]): Promise<string> {
    await this.claim(req);
    await this.lease(req.runId);
    const attempt = await this.runs.attempts.startAttempt(req.runId, HOLDER, { markStarted: true });
    await this.runs.attempts.finishAttempt(req.runId, HOLDER, {
      attempt,
      attemptOutcome: 'succeeded',
      run: { status: 'SUCCEEDED', result },
      logLines,
    });
    return req.runId;
  }

  async fail(req: RunRequest): Promise<string> {
    await this.claim(req);
    for (const [outcome, status] of [
      ['retry', 503],
      ['failed', 500],
    ] as const) {
      await this.lease(req.runId);
      const attempt = await this.runs.attempts.startAttempt(req.runId, HOLDER);
      await this.runs.attempts.finishAttempt(req.runId, HOLDER, {
        attempt,
        attemptOutcome: outcome,
        error: { type: 'HttpError', message: `target answered ${status}` },
        response: { status, excerpt: `{"error":"${status}"}` },
        run:
          outcome === 'retry'
            ? { status: 'REQUESTED', nextAttemptAt: new Date() }
            : { status: 'FAILED' },
      });
    }
    return req.runId;
  }

  /** What `takeDue` does for one run, without taking other tests' runs. */
  private async lease(runId: string): Promise<void> {
    await this.store.query(
      `UPDATE runs SET claimed_by = $2, claim_expires_at = now() + interval '1 minute'
        WHERE run_id = $1`,
      [runId, HOLDER],
    );
  }
}
