import type { RunError, RunRequest, RunStatus } from '@flint/contracts';
import { enqueueOutbox, type OutboxMessage } from './outbox';
import {
  type RunAttemptOutcome,
  type RunAttemptRecord,
  type RunAttemptRow,
  type RunRecord,
  type RunResponse,
  type RunRow,
  type RunSourcePosition,
  toRunAttemptRecord,
  toRunRecord,
} from './run-records';
import type { Queryable, Store } from './store';

/**
 * Advisory lock namespace ("flnr" in ASCII) for concurrency keys, apart from the store's own locks:
 * admitting a run and counting the runs of its key must not interleave with another admission.
 */
const CONCURRENCY_LOCK_NAMESPACE = 0x666c6e72;

/** What a claim needs beyond the request: decided by the runner, stored so any replica can use it. */
export interface NewRun {
  request: RunRequest;
  source: RunSourcePosition;
  /** Longest one attempt may take. */
  timeoutMs: number;
  /** Absent: any number of runs at once. */
  concurrency?: { limit: number; onBusy: 'skip' | 'queue' };
}

export type ClaimOutcome =
  /** Claimed and due now. */
  | { runId: string; outcome: 'claimed' }
  /** Claimed, waiting for a concurrency slot. */
  | { runId: string; outcome: 'queued'; reason: string }
  /** Claimed and recorded SKIPPED: the concurrency limit was reached. */
  | { runId: string; outcome: 'skipped'; reason: string; run: RunRecord }
  /** The run id was claimed before: nothing was stored or started. */
  | { runId: string; outcome: 'duplicate' };

export interface ClaimOptions {
  /** Messages (run-status events) that announce a skipped run; committed with the skip. */
  skippedMessages(run: RunRecord): OutboxMessage[];
}

/** A run taken for work; `previousHolder` is set when it was recovered from an expired lease. */
export interface TakenRun extends RunRecord {
  previousHolder?: string;
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
  | { status: 'FAILED' };

export interface FinishAttempt {
  attempt: number;
  attemptOutcome: RunAttemptOutcome;
  error?: RunError;
  response?: RunResponse;
  run: RunTransition;
  logLines?: readonly string[];
  /** Announcements committed with the transition: run-status events, a dead letter. */
  messages?: OutboxMessage[];
}

export interface FinishResult {
  /** Runs of the same concurrency key that became due because this one finished. */
  admitted: string[];
}

export interface RunFilter {
  triggerId?: string;
  status?: RunStatus;
  /** Runs created before this moment (paging backwards); newest first. */
  before?: Date;
  limit?: number;
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
 * The runs table as the runner uses it. The primary key on the run id is the claim: the first insert
 * wins, every later request with that id is a duplicate. Work on a claimed run is guarded by a lease
 * (`claimed_by`, `claim_expires_at`): only the holder may record an attempt's outcome, and a lease that
 * expires (its runner died) lets any replica take the run over. Every transition commits together with
 * the outbox messages that announce it, so a run's status and its events never disagree.
 */
export class RunRepository {
  constructor(private readonly store: Store) {}

  /** Claims each run id in one transaction, in order; a repeated id (even within the batch) is a duplicate. */
  async claim(runs: readonly NewRun[], options: ClaimOptions): Promise<ClaimOutcome[]> {
    return this.store.transaction(async (tx) => {
      // Locks are taken up front in one order so two batches cannot deadlock on each other's keys.
      const keys = [...new Set(runs.filter((r) => r.concurrency).map((r) => lockKey(r.request)))];
      for (const key of keys.sort()) await lockConcurrencyKey(tx, key);
      const outcomes: ClaimOutcome[] = [];
      for (const run of runs) outcomes.push(await this.claimOne(tx, run, options));
      return outcomes;
    });
  }

  /**
   * Leases up to `limit` runs that are due, or whose lease expired, for `holder`. The lease lasts one
   * attempt's timeout plus `graceMs`; replicas never take the same run (SKIP LOCKED).
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
          ORDER BY next_attempt_at NULLS FIRST, claim_seq
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
   * Begins attempt `attempts + 1` under the holder's lease, closing a previous attempt whose runner was
   * lost. Returns the attempt number; throws `RunLeaseLostError` when the lease is gone.
   */
  async startAttempt(
    runId: string,
    holder: string,
    options: StartAttemptOptions = {},
  ): Promise<number> {
    return this.store.transaction(async (tx) => {
      const [row] = await tx.query<{ attempts: number }>(
        `UPDATE runs SET attempts = attempts + 1,
                status = CASE WHEN $3::boolean THEN 'STARTED' ELSE status END,
                started_at = CASE WHEN $3::boolean THEN coalesce(started_at, now())
                                  ELSE started_at END
          WHERE run_id = $1 AND claimed_by = $2 AND status IN ('REQUESTED', 'STARTED')
          RETURNING attempts`,
        [runId, holder, options.markStarted ?? false],
      );
      if (row === undefined) throw new RunLeaseLostError(runId, holder);
      await closeLostAttempts(tx, runId);
      await tx.query('INSERT INTO run_attempts (run_id, attempt, runner) VALUES ($1, $2, $3)', [
        runId,
        row.attempts,
        holder,
      ]);
      for (const message of options.messages ?? []) await enqueueOutbox(tx, message);
      return row.attempts;
    });
  }

  /**
   * Records how an attempt ended and moves the run on: back to waiting for a retry, or to a final
   * status. A final status frees the run's concurrency slot and admits queued runs of its key.
   */
  async finishAttempt(runId: string, holder: string, finish: FinishAttempt): Promise<FinishResult> {
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
      if (finish.run.status === 'REQUESTED' || run.concurrency_limit === null) {
        return { admitted: [] };
      }
      return { admitted: await admitQueued(tx, run.trigger_id, run.concurrency_key) };
    });
  }

  /**
   * Admits queued runs wherever a concurrency slot is free: the safety net for slots freed by a runner
   * that died before it could admit the next run. Returns the admitted run ids.
   */
  async admitAllQueued(): Promise<string[]> {
    const keys = await this.store.query<{ trigger_id: string; concurrency_key: string | null }>(
      'SELECT DISTINCT trigger_id, concurrency_key FROM runs WHERE queued',
    );
    const admitted: string[] = [];
    for (const key of keys) {
      admitted.push(
        ...(await this.store.transaction(async (tx) => {
          await lockConcurrencyKey(tx, lockKeyOf(key.trigger_id, key.concurrency_key));
          return admitQueued(tx, key.trigger_id, key.concurrency_key);
        })),
      );
    }
    return admitted;
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const [row] = await this.store.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId]);
    return row === undefined ? undefined : toRunRecord(row);
  }

  /** Run history, newest first. */
  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new RangeError(`limit must be a whole number between 1 and 1000, got ${limit}`);
    }
    const rows = await this.store.query<RunRow>(
      `SELECT * FROM runs
        WHERE ($1::text IS NULL OR trigger_id = $1)
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR created_at < $3)
        ORDER BY created_at DESC, claim_seq DESC
        LIMIT $4`,
      [filter.triggerId ?? null, filter.status ?? null, filter.before ?? null, limit],
    );
    return rows.map(toRunRecord);
  }

  /** The attempts of a run, first first. */
  async attempts(runId: string): Promise<RunAttemptRecord[]> {
    const rows = await this.store.query<RunAttemptRow>(
      'SELECT * FROM run_attempts WHERE run_id = $1 ORDER BY attempt',
      [runId],
    );
    return rows.map(toRunAttemptRecord);
  }

  private async claimOne(tx: Queryable, run: NewRun, options: ClaimOptions): Promise<ClaimOutcome> {
    const { request } = run;
    const inserted = await insertRun(tx, run);
    if (!inserted) return { runId: request.runId, outcome: 'duplicate' };
    if (run.concurrency === undefined) return { runId: request.runId, outcome: 'claimed' };

    const key = request.concurrencyKey ?? null;
    const busy = await tx.query<{ run_id: string }>(
      `SELECT run_id FROM runs
        WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND run_id <> $3
          AND status IN ('REQUESTED', 'STARTED') AND NOT queued
        ORDER BY claim_seq LIMIT $4`,
      [request.triggerId, key, request.runId, run.concurrency.limit],
    );
    const [waiting] = await tx.query<{ run_id: string }>(
      `SELECT run_id FROM runs
        WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND queued LIMIT 1`,
      [request.triggerId, key],
    );
    const full = busy.length >= run.concurrency.limit;
    if (run.concurrency.onBusy === 'skip') {
      if (!full) return { runId: request.runId, outcome: 'claimed' };
      const reason = busyReason(request, busy, run.concurrency.limit);
      const [row] = await tx.query<RunRow>(
        `UPDATE runs SET status = 'SKIPPED', status_reason = $2, finished_at = now(),
                next_attempt_at = NULL
          WHERE run_id = $1 RETURNING *`,
        [request.runId, reason],
      );
      const skipped = toRunRecord(row as RunRow);
      for (const message of options.skippedMessages(skipped)) await enqueueOutbox(tx, message);
      return { runId: request.runId, outcome: 'skipped', reason, run: skipped };
    }
    // Queued runs are admitted oldest first, so a newcomer waits behind those already waiting.
    if (!full && waiting === undefined) return { runId: request.runId, outcome: 'claimed' };
    const reason = full
      ? `queued: ${busyReason(request, busy, run.concurrency.limit)}`
      : 'queued behind earlier runs of the same concurrency key';
    await tx.query(
      'UPDATE runs SET queued = true, next_attempt_at = NULL, status_reason = $2 WHERE run_id = $1',
      [request.runId, reason],
    );
    return { runId: request.runId, outcome: 'queued', reason };
  }
}

async function insertRun(tx: Queryable, run: NewRun): Promise<boolean> {
  const { request, source } = run;
  const rows = await tx.query(
    `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, attempts, input,
            event_ids, dedupe_key, concurrency_key, trace_id, next_attempt_at, requested_at,
            request, provider, accepted_at, target_type, workflow, timeout_ms, max_attempts,
            concurrency_limit, source_topic, source_partition, source_offset)
     VALUES ($1, $2, $3, $4, 'REQUESTED', 0, $5::jsonb, $6::text[], $7, $8, $9, now(), $10,
            $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     ON CONFLICT (run_id) DO NOTHING
     RETURNING run_id`,
    [
      request.runId,
      request.triggerId,
      request.triggerVersion,
      request.owner,
      request.input === undefined ? null : JSON.stringify(request.input),
      request.eventIds,
      request.dedupeKey ?? null,
      request.concurrencyKey ?? null,
      request.traceparent?.split('-')[1] ?? null,
      request.requestedAt,
      JSON.stringify(request),
      request.provider,
      request.acceptedAt,
      request.target.type,
      request.target.type === 'local' ? request.target.workflow : null,
      run.timeoutMs,
      request.retry.maxAttempts,
      run.concurrency?.limit ?? null,
      source.topic,
      source.partition,
      source.offset,
    ],
  );
  return rows.length > 0;
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
            started_at = CASE WHEN $3::text = 'SUCCEEDED' THEN coalesce(started_at, now())
                              ELSE started_at END,
            finished_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,
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
    ],
  );
  if (row === undefined) throw new RunLeaseLostError(runId, holder);
  return row;
}

/** Attempts left open by a runner that died; the next attempt of the run closes them as lost. */
async function closeLostAttempts(tx: Queryable, runId: string): Promise<void> {
  await tx.query(
    `UPDATE run_attempts SET finished_at = now(), outcome = 'lost', error_type = 'RunnerLostError',
            error_message = 'the runner making this attempt stopped before the attempt ended'
      WHERE run_id = $1 AND finished_at IS NULL`,
    [runId],
  );
}

/** Makes the oldest queued runs of a key due while it has free slots; the key's lock must be held. */
async function admitQueued(
  tx: Queryable,
  triggerId: string,
  key: string | null,
): Promise<string[]> {
  await lockConcurrencyKey(tx, lockKeyOf(triggerId, key));
  const [oldest] = await tx.query<{ concurrency_limit: number | null }>(
    `SELECT concurrency_limit FROM runs
      WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND queued
      ORDER BY claim_seq LIMIT 1`,
    [triggerId, key],
  );
  if (oldest === undefined) return [];
  const [active] = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM runs
      WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2
        AND status IN ('REQUESTED', 'STARTED') AND NOT queued`,
    [triggerId, key],
  );
  const free = (oldest.concurrency_limit ?? Number.MAX_SAFE_INTEGER) - (active?.count ?? 0);
  if (free <= 0) return [];
  const admitted = await tx.query<{ run_id: string }>(
    `UPDATE runs SET queued = false, next_attempt_at = now(), status_reason = NULL
      WHERE run_id IN (
        SELECT run_id FROM runs
         WHERE trigger_id = $1 AND concurrency_key IS NOT DISTINCT FROM $2 AND queued
         ORDER BY claim_seq LIMIT $3
         FOR UPDATE)
      RETURNING run_id`,
    [triggerId, key, Math.min(free, 1000)],
  );
  return admitted.map((row) => row.run_id);
}

function busyReason(request: RunRequest, busy: { run_id: string }[], limit: number): string {
  const scope =
    request.concurrencyKey === undefined
      ? `trigger ${request.triggerId}`
      : `trigger ${request.triggerId} with concurrency key "${request.concurrencyKey}"`;
  const running = busy.map((row) => row.run_id).join(', ');
  return limit === 1
    ? `${scope} already has a run in progress (${running})`
    : `${scope} already has ${busy.length} runs in progress, its limit (${running})`;
}

function lockKey(request: RunRequest): string {
  return lockKeyOf(request.triggerId, request.concurrencyKey ?? null);
}

function lockKeyOf(triggerId: string, key: string | null): string {
  // A trigger id is a slug without "/", so trigger and key cannot run into each other.
  return key === null ? triggerId : `${triggerId}/${key}`;
}

async function lockConcurrencyKey(tx: Queryable, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [
    CONCURRENCY_LOCK_NAMESPACE,
    key,
  ]);
}
