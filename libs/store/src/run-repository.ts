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

export interface RunFilter {
  triggerId?: string;
  status?: RunStatus;
  /** Runs created before this moment (paging backwards); newest first. */
  before?: Date;
  limit?: number;
}

/** Where a page of run history ends: the last run's claim time and claim sequence. */
export interface RunCursor {
  createdAt: Date;
  seq: string;
}

export interface RunHistoryQuery {
  triggerId?: string;
  status?: RunStatus;
  owner?: string;
  /** Runs claimed at or after this moment. */
  since?: Date;
  /** Runs claimed before this moment. */
  until?: Date;
  /** Runs after (older than) this cursor. */
  after?: RunCursor;
  limit: number;
}

export interface RunHistoryPage {
  runs: RunRecord[];
  /** Set when older runs remain. */
  next?: RunCursor;
}

/** Runs started, succeeded and failed in one minute. */
export interface RunMinute {
  minute: Date;
  started: number;
  succeeded: number;
  failed: number;
}

/** A trigger's runs claimed since a moment, by outcome, and its newest run. */
export interface TriggerRunSummary {
  triggerId: string;
  started: number;
  succeeded: number;
  failed: number;
  lastRunAt?: Date;
  lastRunStatus?: RunRecord['status'];
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
    if (!runs.some((run) => run.concurrency)) return this.claimUnlimited(runs);
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
   * Runs without a concurrency limit need no lock and no look at other runs: the whole batch is one
   * multi-row insert (one round trip), or a few in one transaction when the batch is large.
   */
  private async claimUnlimited(runs: readonly NewRun[]): Promise<ClaimOutcome[]> {
    const chunks: NewRun[][] = [];
    for (let i = 0; i < runs.length; i += RUNS_PER_INSERT) {
      chunks.push(runs.slice(i, i + RUNS_PER_INSERT));
    }
    const inserted =
      chunks.length === 1
        ? await insertRuns(this.store, chunks[0])
        : await this.store.transaction(async (tx) => {
            const ids = new Set<string>();
            for (const chunk of chunks) for (const id of await insertRuns(tx, chunk)) ids.add(id);
            return ids;
          });
    // Of a run id repeated within the batch, the first occurrence was inserted: the rest are duplicates.
    const claimed = new Set<string>();
    return runs.map(({ request: { runId } }): ClaimOutcome => {
      if (!inserted.has(runId) || claimed.has(runId)) return { runId, outcome: 'duplicate' };
      claimed.add(runId);
      return { runId, outcome: 'claimed' };
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
                position integer)),
       moved AS (
         UPDATE runs SET
                status = coalesce(input.status, runs.status),
                next_attempt_at = input.next_attempt_at,
                result = input.result->'value',
                error_type = input.error_type,
                error_message = input.error_message,
                log_lines = coalesce(input.log_lines, runs.log_lines),
                started_at = CASE WHEN input.status = 'SUCCEEDED'
                                  THEN coalesce(runs.started_at, now()) ELSE runs.started_at END,
                finished_at = CASE WHEN input.status IS NULL THEN NULL ELSE now() END,
                claimed_by = NULL,
                claim_expires_at = NULL
           FROM input
          WHERE runs.run_id = input.run_id AND runs.claimed_by = input.holder
            AND runs.status IN ('REQUESTED', 'STARTED')
            AND (runs.concurrency_limit IS NULL OR input.status IS NULL)
          RETURNING runs.run_id, input.attempt, input.outcome, input.error_type,
                    input.error_message, input.response_status, input.response_excerpt,
                    input.messages, input.position),
       closed AS (
         UPDATE run_attempts SET finished_at = now(), outcome = moved.outcome,
                error_type = moved.error_type, error_message = moved.error_message,
                response_status = moved.response_status,
                response_excerpt = moved.response_excerpt
           FROM moved
          WHERE run_attempts.run_id = moved.run_id AND run_attempts.attempt = moved.attempt),
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

  /**
   * A page of run history, newest first, for the history API. Pages are keyed on (created_at,
   * claim_seq), so runs claimed while a client pages never shift or repeat a page.
   */
  async history(query: RunHistoryQuery): Promise<RunHistoryPage> {
    const rows = await this.store.query<RunRow & { claim_seq: string }>(
      `SELECT * FROM runs
        WHERE ($1::text IS NULL OR trigger_id = $1)
          AND ($2::text IS NULL OR status = $2)
          AND ($3::text IS NULL OR owner = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
          AND ($6::timestamptz IS NULL OR (created_at, claim_seq) < ($6, $7::bigint))
        ORDER BY created_at DESC, claim_seq DESC
        LIMIT $8`,
      [
        query.triggerId ?? null,
        query.status ?? null,
        query.owner ?? null,
        query.since ?? null,
        query.until ?? null,
        query.after?.createdAt ?? null,
        query.after?.seq ?? null,
        query.limit + 1,
      ],
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      runs: page.map(toRunRecord),
      ...(rows.length > query.limit && last
        ? { next: { createdAt: new Date(last.created_at), seq: String(last.claim_seq) } }
        : {}),
    };
  }

  /**
   * Runs changed (claimed, started, retried, finished) at or after `since`, oldest change first, by
   * the `updated_at` the runs table's trigger keeps (migration 0008).
   */
  async changedSince(since: Date, limit: number): Promise<Array<RunRecord & { updatedAt: Date }>> {
    const rows = await this.store.query<RunRow & { updated_at: Date }>(
      'SELECT * FROM runs WHERE updated_at >= $1 ORDER BY updated_at LIMIT $2',
      [since, limit],
    );
    return rows.map((row) => ({ ...toRunRecord(row), updatedAt: new Date(row.updated_at) }));
  }

  /**
   * Per minute with any in [since, until), oldest first: runs that started, succeeded and failed,
   * optionally of one owner. Every such run was updated in the range, so the `updated_at` index
   * narrows the scan to the range's changes.
   */
  async minuteCounts(since: Date, until: Date, owner?: string): Promise<RunMinute[]> {
    const rows = await this.store.query<{
      minute: Date;
      started: string;
      succeeded: string;
      failed: string;
    }>(
      `WITH changed AS (
         SELECT status, started_at, finished_at FROM runs
          WHERE updated_at >= $1 AND ($3::text IS NULL OR owner = $3)),
       counts AS (
         SELECT date_trunc('minute', started_at) AS minute, 1 AS started, 0 AS succeeded, 0 AS failed
           FROM changed WHERE started_at >= $1 AND started_at < $2
         UNION ALL
         SELECT date_trunc('minute', finished_at), 0, 1, 0
           FROM changed WHERE status = 'SUCCEEDED' AND finished_at >= $1 AND finished_at < $2
         UNION ALL
         SELECT date_trunc('minute', finished_at), 0, 0, 1
           FROM changed WHERE status = 'FAILED' AND finished_at >= $1 AND finished_at < $2)
       SELECT minute, sum(started) AS started, sum(succeeded) AS succeeded, sum(failed) AS failed
         FROM counts GROUP BY minute ORDER BY minute`,
      [since, until, owner ?? null],
    );
    return rows.map((row) => ({
      minute: new Date(row.minute),
      started: Number(row.started),
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
    }));
  }

  /** For each trigger: its runs claimed since `since` by outcome, and its newest run. */
  async triggerSummaries(triggerIds: readonly string[], since: Date): Promise<TriggerRunSummary[]> {
    const rows = await this.store.query<{
      trigger_id: string;
      started: string;
      succeeded: string;
      failed: string;
      last_run_at: Date | null;
      last_run_status: RunRecord['status'] | null;
    }>(
      `SELECT id AS trigger_id, counts.started, counts.succeeded, counts.failed,
              newest.created_at AS last_run_at, newest.status AS last_run_status
         FROM unnest($1::text[]) AS id
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE started_at IS NOT NULL) AS started,
                  count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded,
                  count(*) FILTER (WHERE status = 'FAILED') AS failed
             FROM runs WHERE trigger_id = id AND created_at >= $2) counts
         LEFT JOIN LATERAL (
           SELECT created_at, status FROM runs WHERE trigger_id = id
            ORDER BY created_at DESC LIMIT 1) newest ON true`,
      [triggerIds, since],
    );
    return rows.map((row) => ({
      triggerId: row.trigger_id,
      started: Number(row.started),
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
      ...(row.last_run_at === null ? {} : { lastRunAt: new Date(row.last_run_at) }),
      ...(row.last_run_status === null ? {} : { lastRunStatus: row.last_run_status }),
    }));
  }

  private async claimOne(tx: Queryable, run: NewRun, options: ClaimOptions): Promise<ClaimOutcome> {
    const { request } = run;
    const inserted = await insertRuns(tx, [run]);
    if (!inserted.has(request.runId)) return { runId: request.runId, outcome: 'duplicate' };
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

/** Most runs per INSERT statement: 21 parameters each, well under PostgreSQL's 65,535. */
const RUNS_PER_INSERT = 500;
const PARAMS_PER_RUN = 21;

/** Inserts the runs whose ids are not taken yet, in order; returns the ids it inserted. */
async function insertRuns(db: Queryable, runs: readonly NewRun[]): Promise<Set<string>> {
  const values = runs.map((_, index) => {
    const p = (n: number) => `$${index * PARAMS_PER_RUN + n}`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'REQUESTED', 0, ${p(5)}::jsonb, ${p(6)}::text[],
            ${p(7)}, ${p(8)}, ${p(9)}, now(), ${p(10)}::timestamptz, ${p(11)}::jsonb, ${p(12)},
            ${p(13)}::timestamptz, ${p(14)}, ${p(15)}, ${p(16)}::integer, ${p(17)}::integer,
            ${p(18)}::integer, ${p(19)}, ${p(20)}::integer, ${p(21)})`;
  });
  const rows = await db.query<{ run_id: string }>(
    `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, attempts, input,
            event_ids, dedupe_key, concurrency_key, trace_id, next_attempt_at, requested_at,
            request, provider, accepted_at, target_type, workflow, timeout_ms, max_attempts,
            concurrency_limit, source_topic, source_partition, source_offset)
     VALUES ${values.join(', ')}
     ON CONFLICT (run_id) DO NOTHING
     RETURNING run_id`,
    runs.flatMap(runParams),
  );
  return new Set(rows.map((row) => row.run_id));
}

function runParams({ request, source, timeoutMs, concurrency }: NewRun): unknown[] {
  return [
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
    timeoutMs,
    request.retry.maxAttempts,
    concurrency?.limit ?? null,
    source.topic,
    source.partition,
    source.offset,
  ];
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

/** Outbox messages as JSON for `enqueueOutboxFrom`. */
function outboxValues(messages: readonly OutboxMessage[] = []): unknown[] {
  return messages.map((message) => ({
    topic: message.topic,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  }));
}

/**
 * The outbox insert of `enqueueOutbox` inside a data-modifying CTE: the `messages` (from
 * `outboxValues`) of each row of `rows`, ordered by the rows' `position`, then as listed. A JSON null
 * value is stored as SQL NULL, a tombstone, as `enqueueOutbox` does.
 */
function enqueueOutboxFrom(rows: string): string {
  return `INSERT INTO outbox (topic, key, value, headers)
          SELECT message->>'topic', message->>'key', nullif(message->'value', 'null'::jsonb),
                 message->'headers'
            FROM ${rows}, jsonb_array_elements(${rows}.messages) WITH ORDINALITY AS m(message, n)
           ORDER BY ${rows}.position, m.n`;
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
