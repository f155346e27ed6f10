import type { RunError, RunRequest, WorkflowCancellation } from '@flint/contracts';
import type { Store } from '../store';
import type { RunResponse } from './records';

/** Where a cancellation request stands: to send (again), sent, or given up on. */
export type RunCancellationStatus = 'pending' | 'sent' | 'failed';

/** The cancellation request of one run, as the run's history shows it. */
export interface RunCancellationRecord {
  runId: string;
  status: RunCancellationStatus;
  /** Tries begun so far, a try whose runner died included. */
  tries: number;
  /** When the next try is due, while pending. */
  nextTryAt?: Date;
  /** Why the last try failed. */
  error?: RunError;
  /** The target's HTTP answer to the last try. */
  responseStatus?: number;
  createdAt: Date;
  finishedAt?: Date;
}

/** A cancellation leased for sending, with what it takes to send it. */
export interface DueCancellation {
  runId: string;
  message: WorkflowCancellation;
  /** The run's request: its target says where the cancellation goes; its owner, whose secrets. */
  request: RunRequest;
  /** This try's number, 1 for the first. */
  try: number;
}

/** How a try ended, as the sender records it. */
export type CancellationTryOutcome =
  | { outcome: 'sent'; response?: RunResponse }
  | { outcome: 'retry'; error: RunError; nextTryAt: Date; response?: RunResponse }
  | { outcome: 'failed'; error: RunError; response?: RunResponse };

interface CancellationRow {
  run_id: string;
  message: WorkflowCancellation;
  status: RunCancellationStatus;
  tries: number;
  next_try_at: Date;
  error_type: string | null;
  error_message: string | null;
  response_status: number | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Cancellation requests to remote workflows. A row is committed together with its run's CANCELLED
 * transition (`FinishAttempt.cancellation`), so a cancel is never recorded without its request. A
 * sender leases due rows (SKIP LOCKED: no two runners send the same one), counts the try before
 * sending, and records how it ended under its lease; a runner that dies while sending leaves a lease
 * that expires, and the next sender tries again. A row is sent once unless its runner dies between
 * the target's answer and the record of it.
 */
export class RunCancellationRepository {
  constructor(private readonly store: Store) {}

  /**
   * Leases up to `limit` due cancellations for `holder`, for the run's attempt timeout plus
   * `graceMs`, counting a try for each.
   */
  async takeDue(holder: string, limit: number, graceMs: number): Promise<DueCancellation[]> {
    if (limit <= 0) return [];
    const rows = await this.store.query<{
      run_id: string;
      message: WorkflowCancellation;
      request: RunRequest;
      tries: number;
    }>(
      `WITH due AS (
         SELECT c.run_id FROM run_cancellations c
          WHERE c.status = 'pending' AND c.next_try_at <= now()
            AND (c.claimed_by IS NULL OR c.claim_expires_at <= now())
          ORDER BY c.next_try_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE run_cancellations c SET claimed_by = $1, tries = c.tries + 1,
              claim_expires_at = now() + make_interval(secs => (coalesce(r.timeout_ms, 0) + $3) / 1000.0)
         FROM due, runs r
        WHERE c.run_id = due.run_id AND r.run_id = c.run_id
       RETURNING c.run_id, c.message, r.request, c.tries`,
      [holder, limit, graceMs],
    );
    return rows.map((row) => ({
      runId: row.run_id,
      message: row.message,
      request: row.request,
      try: row.tries,
    }));
  }

  /**
   * Records how `holder`'s try ended and releases the lease. False when the lease was lost (it
   * expired and another runner took the row): that runner's record counts.
   */
  async record(runId: string, holder: string, ended: CancellationTryOutcome): Promise<boolean> {
    const error = ended.outcome === 'sent' ? undefined : ended.error;
    const rows = await this.store.query(
      `UPDATE run_cancellations SET status = $3, next_try_at = coalesce($4, next_try_at),
              error_type = $5, error_message = $6, response_status = $7,
              finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END,
              claimed_by = NULL, claim_expires_at = NULL
        WHERE run_id = $1 AND claimed_by = $2 AND status = 'pending'
        RETURNING run_id`,
      [
        runId,
        holder,
        ended.outcome === 'retry' ? 'pending' : ended.outcome,
        ended.outcome === 'retry' ? ended.nextTryAt : null,
        error?.type ?? null,
        error?.message ?? null,
        ended.response?.status ?? null,
      ],
    );
    return rows.length > 0;
  }

  /** The run's cancellation request, if its cancel asked the workflow to stop. */
  async get(runId: string): Promise<RunCancellationRecord | undefined> {
    const [row] = await this.store.query<CancellationRow>(
      'SELECT * FROM run_cancellations WHERE run_id = $1',
      [runId],
    );
    return row === undefined ? undefined : toRecord(row);
  }
}

function toRecord(row: CancellationRow): RunCancellationRecord {
  return {
    runId: row.run_id,
    status: row.status,
    tries: row.tries,
    ...(row.status === 'pending' ? { nextTryAt: row.next_try_at } : {}),
    ...(row.error_type === null
      ? {}
      : { error: { type: row.error_type, message: row.error_message ?? '' } }),
    ...(row.response_status === null ? {} : { responseStatus: row.response_status }),
    createdAt: row.created_at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
  };
}
