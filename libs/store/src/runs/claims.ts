import type { RunRequest } from '@flint/contracts';
import {
  enqueueOutbox,
  enqueueOutboxFrom,
  type OutboxMessage,
  outboxValues,
} from '../outbox/enqueue';
import type { Queryable, Store } from '../store';
import type { StartAttemptOptions, TakenRun } from './attempts';
import { concurrencyLockKey, lockConcurrencyKey } from './concurrency';
import { startRank } from './priority';
import { type RunRecord, type RunRow, type RunSourcePosition, toRunRecord } from './records';

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
  /** Claimed and due now; `taken` when it was also leased and its first attempt begun (`lease`). */
  | { runId: string; outcome: 'claimed'; taken?: TakenRun }
  /** Claimed, waiting for a concurrency slot. */
  | { runId: string; outcome: 'queued'; reason: string }
  /** Claimed and recorded SKIPPED: the concurrency limit was reached. */
  | { runId: string; outcome: 'skipped'; reason: string; run: RunRecord }
  /** The run id was claimed before: nothing was stored or started. */
  | { runId: string; outcome: 'duplicate' };

export interface ClaimOptions {
  /** Messages (run-status events) that announce a skipped run; committed with the skip. */
  skippedMessages(run: RunRecord): OutboxMessage[];
  /**
   * Lease up to `limit` of the claimed runs to `holder` and begin their first attempt in the claim's
   * own statement, as `takeDue` then `startAttempt` would (the lease lasts the attempt's timeout plus
   * `graceMs`): a run the runner has room for costs no further round trip before its target starts.
   * `start` says how each attempt begins (undefined: leave that run to the scheduler). Only batches
   * without a concurrency limit are leased; the others are admitted under their key's lock.
   */
  lease?: {
    holder: string;
    graceMs: number;
    limit: number;
    start(run: NewRun): StartAttemptOptions | undefined;
  };
}

/** How one run of a claim begins when it is leased as it is claimed. */
interface ClaimLease {
  holder: string;
  graceMs: number;
  start: StartAttemptOptions;
}

/**
 * Claims in the runs table. The primary key on the run id is the claim: the first insert wins, every
 * later request with that id is a duplicate. A run of a trigger with a concurrency limit is admitted,
 * queued or skipped as it is claimed, under the lock of its concurrency key.
 */
export class RunClaimRepository {
  constructor(private readonly store: Store) {}

  /** Claims each run id in one transaction, in order; a repeated id (even within the batch) is a duplicate. */
  async claim(runs: readonly NewRun[], options: ClaimOptions): Promise<ClaimOutcome[]> {
    if (!runs.some((run) => run.concurrency)) return this.claimUnlimited(runs, options.lease);
    return this.store.transaction(async (tx) => {
      // Locks are taken up front in one order so two batches cannot deadlock on each other's keys.
      const keys = [
        ...new Set(
          runs
            .filter((r) => r.concurrency)
            .map((r) => concurrencyLockKey(r.request.triggerId, r.request.concurrencyKey ?? null)),
        ),
      ];
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
  private async claimUnlimited(
    runs: readonly NewRun[],
    lease: ClaimOptions['lease'],
  ): Promise<ClaimOutcome[]> {
    const leases = leasesOf(runs, lease);
    const chunks: { runs: NewRun[]; leases: (ClaimLease | undefined)[] }[] = [];
    for (let i = 0; i < runs.length; i += RUNS_PER_INSERT) {
      chunks.push({
        runs: runs.slice(i, i + RUNS_PER_INSERT),
        leases: leases.slice(i, i + RUNS_PER_INSERT),
      });
    }
    const inserted =
      chunks.length === 1
        ? await insertRuns(this.store, chunks[0].runs, chunks[0].leases)
        : await this.store.transaction(async (tx) => {
            const rows = new Map<string, RunRow | undefined>();
            for (const chunk of chunks) {
              for (const [id, row] of await insertRuns(tx, chunk.runs, chunk.leases)) {
                rows.set(id, row);
              }
            }
            return rows;
          });
    // Of a run id repeated within the batch, the first occurrence was inserted: the rest are duplicates.
    const claimed = new Set<string>();
    return runs.map(({ request: { runId } }): ClaimOutcome => {
      if (!inserted.has(runId) || claimed.has(runId)) return { runId, outcome: 'duplicate' };
      claimed.add(runId);
      const row = inserted.get(runId);
      return row?.claimed_by
        ? { runId, outcome: 'claimed', taken: { ...toRunRecord(row), begunAttempt: 1 } }
        : { runId, outcome: 'claimed' };
    });
  }

  private async claimOne(tx: Queryable, run: NewRun, options: ClaimOptions): Promise<ClaimOutcome> {
    const { request } = run;
    const inserted = await insertRuns(tx, [run], []);
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
    // A newcomer joins the queue rather than pass those already waiting; admission (by queue rank,
    // `startRank`) decides which of them goes first.
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

/** The lease of each run (by position), for the first `limit` distinct run ids `start` begins. */
function leasesOf(
  runs: readonly NewRun[],
  lease: ClaimOptions['lease'],
): (ClaimLease | undefined)[] {
  let left = lease?.limit ?? 0;
  const seen = new Set<string>();
  return runs.map((run) => {
    const { runId } = run.request;
    if (lease === undefined || left <= 0 || seen.has(runId)) return undefined;
    seen.add(runId);
    const start = lease.start(run);
    if (start === undefined) return undefined;
    left--;
    return { holder: lease.holder, graceMs: lease.graceMs, start };
  });
}

/** Most runs per INSERT statement: 28 parameters each, well under PostgreSQL's 65,535. */
const RUNS_PER_INSERT = 500;
const PARAMS_PER_RUN = 28;

/**
 * Inserts the runs whose ids are not taken yet, in order; returns the ids it inserted, with the row
 * of each one it leased. A leased run is inserted with its lease and its first attempt begun (the
 * attempt's row, STARTED when its target starts before, and the start's outbox messages), all in
 * the one statement.
 */
async function insertRuns(
  db: Queryable,
  runs: readonly NewRun[],
  leases: readonly (ClaimLease | undefined)[],
): Promise<Map<string, RunRow | undefined>> {
  const values = runs.map((_, index) => {
    const p = (n: number) => `$${index * PARAMS_PER_RUN + n + 1}`;
    const holder = p(26);
    const markStarted = `${p(28)}::boolean`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)},
            CASE WHEN ${markStarted} THEN 'STARTED' ELSE 'REQUESTED' END,
            CASE WHEN ${holder}::text IS NULL THEN 0 ELSE 1 END, ${p(5)}::jsonb, ${p(6)}::text[],
            ${p(7)}, ${p(8)}, ${p(9)}, now(), ${p(10)}::timestamptz, ${p(11)}::jsonb, ${p(12)},
            ${p(13)}::timestamptz, ${p(14)}, ${p(15)}, ${p(16)}::integer, ${p(17)}::integer,
            ${p(18)}::integer, ${p(19)}, ${p(20)}::integer, ${p(21)}, ${p(22)},
            ${p(23)}::smallint, ${p(24)}::timestamptz, ${p(25)}, ${holder}::text,
            CASE WHEN ${holder}::text IS NULL THEN NULL
                 ELSE now() + make_interval(secs => (coalesce(${p(16)}::integer, 0) + ${p(27)}::integer) / 1000.0)
            END,
            CASE WHEN ${markStarted} THEN now() END)`;
  });
  const begun = runs.flatMap((run, position) => {
    const lease = leases[position];
    return lease === undefined
      ? []
      : [{ run_id: run.request.runId, messages: outboxValues(lease.start.messages), position }];
  });
  const rows = await db.query<RunRow>(
    `WITH inserted AS (
       INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, attempts, input,
              event_ids, dedupe_key, concurrency_key, trace_id, next_attempt_at, requested_at,
              request, provider, accepted_at, target_type, workflow, timeout_ms, max_attempts,
              concurrency_limit, source_topic, source_partition, source_offset, rerun_of, priority,
              queue_rank, cancel_key, claimed_by, claim_expires_at, started_at)
       VALUES ${values.join(', ')}
       ON CONFLICT (run_id) DO NOTHING
       RETURNING *),
     attempt AS (
       INSERT INTO run_attempts (run_id, attempt, runner)
       SELECT run_id, 1, claimed_by FROM inserted WHERE claimed_by IS NOT NULL),
     begun AS (
       SELECT inserted.run_id, input.messages, input.position
         FROM inserted
         JOIN jsonb_to_recordset($1::jsonb) AS input(run_id text, messages jsonb, position integer)
           ON input.run_id = inserted.run_id
        WHERE inserted.claimed_by IS NOT NULL),
     announced AS (${enqueueOutboxFrom('begun')})
     SELECT * FROM inserted`,
    [
      JSON.stringify(begun),
      ...runs.flatMap((run, position) => [...runParams(run), ...leaseParams(leases[position])]),
    ],
  );
  return new Map(rows.map((row) => [row.run_id, row.claimed_by === null ? undefined : row]));
}

function leaseParams(lease: ClaimLease | undefined): unknown[] {
  return lease === undefined
    ? [null, null, false]
    : [lease.holder, lease.graceMs, lease.start.markStarted ?? false];
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
    request.rerunOf ?? null,
    request.priority ?? 0,
    startRank(new Date(request.requestedAt), request.priority ?? 0),
    request.cancelKey ?? null,
  ];
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
