import type { RunError, WorkflowCancellation } from '@flint/contracts';
import {
  enqueueOutbox,
  enqueueOutboxFrom,
  type OutboxMessage,
  outboxValues,
} from '../outbox/enqueue';
import type { Queryable, Store } from '../store';
import { admitQueued } from './concurrency';
import { DUE_START_RANK_SQL } from './priority';
import {
  type RunAttemptOutcome,
  type RunRecord,
  type RunResponse,
  type RunRow,
  toRunRecord,
} from './records';

/** A run taken for work; `previousHolder` is set when it was recovered from an expired lease. */
export interface TakenRun extends RunRecord {
  previousHolder?: string;
  /** The attempt the take itself began (a run leased as it was claimed): no start to record. */
  begunAttempt?: number;
}

export interface StartAttemptOptions {
  /** Turn the run STARTED now (a local workflow begins), unless it already is. */
  markStarted?: boolean;
  /** Announcements committed with the attempt, e.g. the STARTED event. */
  messages?: OutboxMessage[];
}

/** The run's next state after an attempt. */
export type RunTransition =
  | { status: 'REQUESTED'; nextAttemptAt: Date }
  | { status: 'SUCCEEDED'; result: unknown }
  | { status: 'FAILED' }
  /** Cancelled on request (`cancel_requested_at`): the run never starts again. */
  | { status: 'CANCELLED' }
  /** A callback target accepted the start: the run waits for its outcome until the deadline. */
  | { status: 'STARTED'; callbackDeadline: Date };

export interface FinishAttempt {
  attempt: number;
  attemptOutcome: RunAttemptOutcome;
  error?: RunError;
  response?: RunResponse;
  run: RunTransition;
  logLines?: readonly string[];
  /** Announcements committed with the transition: run-status events, a dead letter. */
  messages?: OutboxMessage[];
  /**
   * With a CANCELLED transition: the request that asks the remote workflow to stop, committed with
   * it for the runner's cancellation sender (RunCancellationRepository).
   */
  cancellation?: WorkflowCancellation;
}

/** One run's `startAttempt`, for `startAttempts`. */
export interface AttemptStart {
  runId: string;
  holder: string;
  options?: StartAttemptOptions;
}

/** One run's `finishAttempt`, for `finishAttempts`. */
export interface AttemptFinish {
  runId: string;
  holder: string;
  finish: FinishAttempt;
}

export interface FinishResult {
  /** Runs of the same concurrency key that became due because this one finished. */
  admitted: string[];
}

/** A run whose cancellation was asked for while a runner works on it. */
export interface CancelRequested {
  runId: string;
  /** The event that cancelled it through its trigger's `cancelOn`; absent when asked through the API. */
  cancelledByEvent?: string;
}

/** The lease was taken over by another replica; this replica's view of the run is stale. */
export class RunLeaseLostError extends Error {
  override readonly name = 'RunLeaseLostError';

  constructor(
    readonly runId: string,
    readonly holder: string,
  ) {
    super(`run ${runId} is no longer leased by ${holder}; another runner has taken it over`);
  }
}

/**
 * Work on claimed runs. It is guarded by a lease (`claimed_by`, `claim_expires_at`): only the holder
 * may record an attempt's outcome, and a lease that expires (its runner died) lets any replica take
 * the run over. Every transition commits together with the outbox messages that announce it, so a
 * run's status and its events never disagree.
 */
export class RunAttemptRepository {
  constructor(private readonly store: Store) {}

  /**
   * Leases up to `limit` runs that are due, or whose lease expired, for `holder`. The lease lasts one
   * attempt's timeout plus `graceMs`; replicas never take the same run (SKIP LOCKED). When more are
   * due than `limit`, the earliest start ranks go first (the priority rule, `startRank`).
   */
  async takeDue(holder: string, limit: number, graceMs: number): Promise<TakenRun[]> {
    if (limit <= 0) return [];
    const rows = await this.store.query<RunRow & { previous_holder: string | null }>(
      `WITH due AS (
         SELECT run_id, claimed_by AS previous_holder FROM runs
          WHERE (status = 'REQUESTED' AND claimed_by IS NULL AND NOT queued
                 AND next_attempt_at <= now())
             OR (status IN ('REQUESTED', 'STARTED') AND claimed_by IS NOT NULL
                 AND claim_expires_at <= now())
             -- Taken only to be cancelled: queued, waiting for a retry, or not due yet.
             OR (status IN ('REQUESTED', 'STARTED') AND claimed_by IS NULL
                 AND cancel_requested_at IS NOT NULL)
             -- A callback target's run whose outcome did not come in time: it fails.
             OR (status = 'STARTED' AND claimed_by IS NULL AND callback_deadline <= now())
          ORDER BY ${DUE_START_RANK_SQL} NULLS FIRST, claim_seq
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE runs SET claimed_by = $1,
              claim_expires_at = now() + make_interval(secs => (coalesce(runs.timeout_ms, 0) + $3) / 1000.0)
         FROM due WHERE runs.run_id = due.run_id
       RETURNING runs.*, due.previous_holder`,
      [holder, limit, graceMs],
    );
    return rows.map((row) => ({
      ...toRunRecord(row),
      ...(row.previous_holder === null ? {} : { previousHolder: row.previous_holder }),
    }));
  }

  /**
   * Keeps the hash of the single-use token a callback target's start carries, before the start is
   * sent, so the workflow can report its outcome however soon it finishes.
   */
  async expectCallback(runId: string, holder: string, tokenHash: string): Promise<void> {
    const rows = await this.store.query(
      `UPDATE runs SET callback_token_hash = $3
        WHERE run_id = $1 AND claimed_by = $2 AND status IN ('REQUESTED', 'STARTED')
        RETURNING run_id`,
      [runId, holder, tokenHash],
    );
    if (rows.length === 0) throw new RunLeaseLostError(runId, holder);
  }

  /**
   * Of the runs `holder` is working on, those someone asked to cancel since, with the event that asked
   * when it was a trigger's `cancelOn`.
   */
  async cancelRequested(holder: string): Promise<CancelRequested[]> {
    const rows = await this.store.query<{ run_id: string; cancelled_by_event: string | null }>(
      `SELECT run_id, cancelled_by_event FROM runs
        WHERE claimed_by = $1 AND cancel_requested_at IS NOT NULL
          AND status IN ('REQUESTED', 'STARTED')`,
      [holder],
    );
    return rows.map((row) => ({
      runId: row.run_id,
      ...(row.cancelled_by_event === null ? {} : { cancelledByEvent: row.cancelled_by_event }),
    }));
  }

  /**
   * Begins attempt `attempts + 1` under the holder's lease, closing a previous attempt whose runner was
   * lost. Returns the attempt number; throws `RunLeaseLostError` when the lease is gone.
   */
  async startAttempt(
    runId: string,
    holder: string,
    options: StartAttemptOptions = {},
  ): Promise<number> {
    return settled<number>((await this.startAttempts([{ runId, holder, options }]))[0]);
  }

  /**
   * `startAttempt` for several runs (distinct ids) in one statement: one round trip, atomic without
   * BEGIN/COMMIT. Every step only touches runs whose lease check passed, and none needs to see the
   * others' writes. Per run, in order: the attempt number, or `RunLeaseLostError`.
   */
  async startAttempts(starts: readonly AttemptStart[]): Promise<(number | RunLeaseLostError)[]> {
    assertDistinct(starts.map((start) => start.runId));
    const rows = await this.store.query<{ run_id: string; attempts: number }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS i(run_id text, holder text, mark_started boolean, messages jsonb, position integer)),
       started AS (
         UPDATE runs SET attempts = runs.attempts + 1,
                status = CASE WHEN input.mark_started THEN 'STARTED' ELSE runs.status END,
                started_at = CASE WHEN input.mark_started THEN coalesce(runs.started_at, now())
                                  ELSE runs.started_at END
           FROM input
          WHERE runs.run_id = input.run_id AND runs.claimed_by = input.holder
            AND runs.status IN ('REQUESTED', 'STARTED')
          RETURNING runs.run_id, runs.attempts, input.holder, input.messages, input.position),
       lost AS (
         UPDATE run_attempts SET finished_at = now(), outcome = 'lost',
                error_type = 'RunnerLostError',
                error_message = 'the runner making this attempt stopped before the attempt ended'
          WHERE run_id IN (SELECT run_id FROM started) AND finished_at IS NULL),
       attempt AS (
         INSERT INTO run_attempts (run_id, attempt, runner)
         SELECT run_id, attempts, holder FROM started),
       announced AS (${enqueueOutboxFrom('started')})
       SELECT run_id, attempts FROM started`,
      [
        JSON.stringify(
          starts.map(({ runId, holder, options = {} }, position) => ({
            run_id: runId,
            holder,
            mark_started: options.markStarted ?? false,
            messages: outboxValues(options.messages),
            position,
          })),
        ),
      ],
    );
    const attempts = new Map(rows.map((row) => [row.run_id, row.attempts]));
    return starts.map(
      ({ runId, holder }) => attempts.get(runId) ?? new RunLeaseLostError(runId, holder),
    );
  }

  /**
   * Records how an attempt ended and moves the run on: back to waiting for a retry, or to a final
   * status. A final status frees the run's concurrency slot and admits queued runs of its key.
   */
  async finishAttempt(runId: string, holder: string, finish: FinishAttempt): Promise<FinishResult> {
    return settled<FinishResult>((await this.finishAttempts([{ runId, holder, finish }]))[0]);
  }

  /**
   * `finishAttempt` for several runs (distinct ids). Runs without a concurrency limit, and runs that
   * only wait for a retry, free no slot: nothing to admit and no lock to take, so all of those are
   * moved on in one statement. The others (and any whose lease is gone, which the transaction then
   * reports) each get the transaction. Per run, in order: the result or the error.
   */
  async finishAttempts(finishes: readonly AttemptFinish[]): Promise<(FinishResult | Error)[]> {
    assertDistinct(finishes.map((finish) => finish.runId));
    const moved = await this.finishUnlimited(finishes);
    return Promise.all(
      finishes.map(({ runId, holder, finish }) =>
        moved.has(runId)
          ? { admitted: [] }
          : this.finishInTransaction(runId, holder, finish).catch((err: unknown) =>
              err instanceof Error ? err : new Error(String(err)),
            ),
      ),
    );
  }

  private async finishUnlimited(finishes: readonly AttemptFinish[]): Promise<Set<string>> {
    const rows = await this.store.query<{ run_id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS i(run_id text, holder text, status text, next_attempt_at timestamptz, result jsonb,
                error_type text, error_message text, log_lines jsonb, attempt integer,
                outcome text, response_status integer, response_excerpt text, messages jsonb,
                position integer, callback_deadline timestamptz, cancellation jsonb)),
       moved AS (
         UPDATE runs SET
                status = coalesce(input.status, runs.status),
                next_attempt_at = input.next_attempt_at,
                result = input.result->'value',
                error_type = input.error_type,
                error_message = input.error_message,
                log_lines = coalesce(input.log_lines, runs.log_lines),
                started_at = CASE WHEN input.status IN ('SUCCEEDED', 'STARTED')
                                  THEN coalesce(runs.started_at, now()) ELSE runs.started_at END,
                finished_at = CASE WHEN input.status IS NULL OR input.status = 'STARTED' THEN NULL
                                   ELSE now() END,
                queued = CASE WHEN input.status IS NULL THEN runs.queued ELSE false END,
                callback_deadline = input.callback_deadline,
                callback_token_hash = CASE WHEN input.callback_deadline IS NULL THEN NULL
                                           ELSE runs.callback_token_hash END,
                claimed_by = NULL,
                claim_expires_at = NULL
           FROM input
          WHERE runs.run_id = input.run_id AND runs.claimed_by = input.holder
            AND runs.status IN ('REQUESTED', 'STARTED')
            AND (runs.concurrency_limit IS NULL OR input.status IS NULL)
          RETURNING runs.run_id, input.attempt, input.outcome, input.error_type,
                    input.error_message, input.response_status, input.response_excerpt,
                    input.messages, input.position, input.cancellation),
       closed AS (
         UPDATE run_attempts SET finished_at = now(), outcome = moved.outcome,
                error_type = moved.error_type, error_message = moved.error_message,
                response_status = moved.response_status,
                response_excerpt = moved.response_excerpt
           FROM moved
          WHERE run_attempts.run_id = moved.run_id AND run_attempts.attempt = moved.attempt),
       asked AS (
         INSERT INTO run_cancellations (run_id, message)
         SELECT run_id, cancellation FROM moved WHERE cancellation IS NOT NULL
         ON CONFLICT (run_id) DO NOTHING),
       announced AS (${enqueueOutboxFrom('moved')})
       SELECT run_id FROM moved`,
      [
        JSON.stringify(
          finishes.map(({ runId, holder, finish }, position) => {
            const next = finish.run;
            return {
              run_id: runId,
              holder,
              // A run that waits for a retry keeps its status: REQUESTED, or STARTED for a local workflow.
              status: next.status === 'REQUESTED' ? null : next.status,
              next_attempt_at: next.status === 'REQUESTED' ? next.nextAttemptAt : null,
              // Wrapped, so that a workflow's `null` result stays JSON null and no result stays NULL.
              result:
                next.status === 'SUCCEEDED' && next.result !== undefined
                  ? { value: next.result }
                  : null,
              error_type: finish.error?.type ?? null,
              error_message: finish.error?.message ?? null,
              log_lines: finish.logLines ?? null,
              attempt: finish.attempt,
              outcome: finish.attemptOutcome,
              response_status: finish.response?.status ?? null,
              response_excerpt: finish.response?.excerpt ?? null,
              messages: outboxValues(finish.messages),
              position,
              callback_deadline: next.status === 'STARTED' ? next.callbackDeadline : null,
              cancellation: finish.cancellation ?? null,
            };
          }),
        ),
      ],
    );
    return new Set(rows.map((row) => row.run_id));
  }

  private finishInTransaction(
    runId: string,
    holder: string,
    finish: FinishAttempt,
  ): Promise<FinishResult> {
    return this.store.transaction(async (tx) => {
      const run = await transition(tx, runId, holder, finish);
      await tx.query(
        `UPDATE run_attempts SET finished_at = now(), outcome = $3, error_type = $4,
                error_message = $5, response_status = $6, response_excerpt = $7
          WHERE run_id = $1 AND attempt = $2`,
        [
          runId,
          finish.attempt,
          finish.attemptOutcome,
          finish.error?.type ?? null,
          finish.error?.message ?? null,
          finish.response?.status ?? null,
          finish.response?.excerpt ?? null,
        ],
      );
      for (const message of finish.messages ?? []) await enqueueOutbox(tx, message);
      if (finish.cancellation !== undefined) {
        await tx.query(
          `INSERT INTO run_cancellations (run_id, message) VALUES ($1, $2::jsonb)
           ON CONFLICT (run_id) DO NOTHING`,
          [runId, JSON.stringify(finish.cancellation)],
        );
      }
      // A run waiting for a retry or for its callback keeps its slot.
      const active = finish.run.status === 'REQUESTED' || finish.run.status === 'STARTED';
      if (active || run.concurrency_limit === null) {
        return { admitted: [] };
      }
      return { admitted: await admitQueued(tx, run.trigger_id, run.concurrency_key) };
    });
  }
}

async function transition(
  tx: Queryable,
  runId: string,
  holder: string,
  finish: FinishAttempt,
): Promise<Pick<RunRow, 'trigger_id' | 'concurrency_key' | 'concurrency_limit'>> {
  const next = finish.run;
  const error = finish.error ?? null;
  const [row] = await tx.query<
    Pick<RunRow, 'trigger_id' | 'concurrency_key' | 'concurrency_limit'>
  >(
    `UPDATE runs SET
            status = coalesce($3::text, status),
            next_attempt_at = $4,
            result = $5::jsonb,
            error_type = $6,
            error_message = $7,
            log_lines = CASE WHEN $8::jsonb IS NULL THEN log_lines ELSE $8::jsonb END,
            started_at = CASE WHEN $3::text IN ('SUCCEEDED', 'STARTED')
                              THEN coalesce(started_at, now()) ELSE started_at END,
            finished_at = CASE WHEN $3::text IS NULL OR $3::text = 'STARTED' THEN NULL
                               ELSE now() END,
            queued = CASE WHEN $3::text IS NULL THEN queued ELSE false END,
            callback_deadline = $9::timestamptz,
            callback_token_hash = CASE WHEN $9::timestamptz IS NULL THEN NULL
                                       ELSE callback_token_hash END,
            claimed_by = NULL,
            claim_expires_at = NULL
      WHERE run_id = $1 AND claimed_by = $2 AND status IN ('REQUESTED', 'STARTED')
      RETURNING trigger_id, concurrency_key, concurrency_limit`,
    [
      runId,
      holder,
      // A run that waits for a retry keeps its status: REQUESTED, or STARTED for a local workflow.
      next.status === 'REQUESTED' ? null : next.status,
      next.status === 'REQUESTED' ? next.nextAttemptAt : null,
      next.status === 'SUCCEEDED' && next.result !== undefined ? JSON.stringify(next.result) : null,
      error?.type ?? null,
      error?.message ?? null,
      finish.logLines === undefined ? null : JSON.stringify(finish.logLines),
      next.status === 'STARTED' ? next.callbackDeadline : null,
    ],
  );
  if (row === undefined) throw new RunLeaseLostError(runId, holder);
  return row;
}

/** The batch operations take each run once: two steps of one run in one statement would collide. */
function assertDistinct(runIds: readonly string[]): void {
  if (new Set(runIds).size !== runIds.length) {
    throw new RangeError('a batch of attempt writes must name each run once');
  }
}

/** A batch operation's result for one run: its value, or its error thrown. */
function settled<T>(result: T | Error | undefined): T {
  if (result instanceof Error) throw result;
  return result as T;
}
