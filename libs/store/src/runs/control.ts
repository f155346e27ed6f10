import type { Store } from '../store';
import { type RunRecord, type RunRow, toRunRecord } from './records';

export type CancelRequest =
  /** Recorded (or asked before): the runner holding the run, or the next to look, cancels it. */
  | { outcome: 'requested'; run: RunRecord }
  /** The run had already ended; `run.status` says how (CANCELLED when it was cancelled before). */
  | { outcome: 'finished'; run: RunRecord }
  | { outcome: 'not-found' };

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
}
