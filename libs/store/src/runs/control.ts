import { createHash } from 'node:crypto';
import type { RunError } from '@flint/contracts';
import { enqueueOutbox, type OutboxMessage } from '../outbox/enqueue';
import type { Store } from '../store';
import { admitQueued } from './concurrency';
import { type RunRecord, type RunRow, toRunRecord } from './records';

export type CancelRequest =
  /** Recorded (or asked before): the runner holding the run, or the next to look, cancels it. */
  | { outcome: 'requested'; run: RunRecord }
  /** The run had already ended; `run.status` says how (CANCELLED when it was cancelled before). */
  | { outcome: 'finished'; run: RunRecord }
  | { outcome: 'not-found' };

/** What the runs table keeps of a callback token: its SHA-256, never the token. */
export function callbackTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a remote workflow reported. */
export type RemoteOutcome = { result: unknown } | { error: RunError };

export type Completion =
  /** Recorded; `admitted` are queued runs of its concurrency key that may start now. */
  | { outcome: 'completed'; run: RunRecord; admitted: string[] }
  /** No such run, or the token is not its token (or was used already). */
  | { outcome: 'refused' }
  /** The token is right but the run's start is still being recorded: try again in a moment. */
  | { outcome: 'not-started'; run: RunRecord };

/**
 * Run control from the API: asking for a cancellation. The API only records the request; the runner
 * makes the transition (with its run-status event) because it may be running the workflow: it aborts
 * an attempt in flight, and takes a queued or waiting run only to cancel it (RunAttemptRepository).
 */
export class RunControlRepository {
  constructor(private readonly store: Store) {}

  /**
   * A `cancelOn` event: asks to cancel the trigger's queued or running runs with its key (every one
   * without a key) that events accepted no later than it caused, so a replay of the event cancels
   * the same runs. Returns the ids of the runs it asked to cancel; a run asked before keeps its asker.
   */
  async requestCancelByEvent(cancel: {
    triggerId: string;
    cancelKey: string | undefined;
    eventId: string;
    acceptedAt: Date;
  }): Promise<string[]> {
    const rows = await this.store.query<{ run_id: string }>(
      `UPDATE runs SET cancel_requested_at = now(), cancelled_by_event = $3
        WHERE trigger_id = $1 AND ($2::text IS NULL OR cancel_key = $2)
          AND status IN ('REQUESTED', 'STARTED') AND cancel_requested_at IS NULL
          AND accepted_at <= $4
        RETURNING run_id`,
      [cancel.triggerId, cancel.cancelKey ?? null, cancel.eventId, cancel.acceptedAt],
    );
    return rows.map((row) => row.run_id);
  }

  async requestCancel(runId: string): Promise<CancelRequest> {
    const [requested] = await this.store.query<RunRow>(
      `UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, now())
        WHERE run_id = $1 AND status IN ('REQUESTED', 'STARTED')
        RETURNING *`,
      [runId],
    );
    if (requested !== undefined) return { outcome: 'requested', run: toRunRecord(requested) };
    const [row] = await this.store.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId]);
    return row === undefined
      ? { outcome: 'not-found' }
      : { outcome: 'finished', run: toRunRecord(row) };
  }

  /**
   * Records a callback target's outcome, once: the token's hash is cleared with it, so the token
   * cannot complete the run again. `messages` announce the run's final status; they commit with it.
   */
  async complete(
    runId: string,
    tokenHash: string,
    reported: RemoteOutcome,
    messages: (run: RunRecord) => OutboxMessage[],
  ): Promise<Completion> {
    return this.store.transaction(async (tx) => {
      const [row] = await tx.query<RunRow>(
        'SELECT * FROM runs WHERE run_id = $1 AND callback_token_hash = $2 FOR UPDATE',
        [runId, tokenHash],
      );
      if (row === undefined) return { outcome: 'refused' };
      if (row.status !== 'STARTED' || row.callback_deadline === null) {
        return { outcome: 'not-started', run: toRunRecord(row) };
      }
      const failed = 'error' in reported;
      const [done] = await tx.query<RunRow>(
        `UPDATE runs SET status = $2, result = $3::jsonb, error_type = $4, error_message = $5,
                finished_at = now(), callback_token_hash = NULL, callback_deadline = NULL,
                next_attempt_at = NULL
          WHERE run_id = $1 RETURNING *`,
        [
          runId,
          failed ? 'FAILED' : 'SUCCEEDED',
          failed || reported.result === undefined ? null : JSON.stringify(reported.result),
          failed ? reported.error.type : null,
          failed ? reported.error.message : null,
        ],
      );
      const run = toRunRecord(done as RunRow);
      for (const message of messages(run)) await enqueueOutbox(tx, message);
      const admitted =
        run.concurrencyLimit === undefined
          ? []
          : await admitQueued(tx, run.triggerId, run.concurrencyKey ?? null);
      return { outcome: 'completed', run, admitted };
    });
  }
}
