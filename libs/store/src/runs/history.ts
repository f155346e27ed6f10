import type { RunStatus } from '@flint/contracts';
import type { Store } from '../store';
import { type RunCancellationRecord, RunCancellationRepository } from './cancellations';
import {
  type RunAttemptRecord,
  type RunAttemptRow,
  type RunRecord,
  type RunRow,
  toRunAttemptRecord,
  toRunRecord,
} from './records';

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

/** Reading the runs and their attempts: one run, lists, and the history API's pages. */
export class RunHistoryRepository {
  constructor(private readonly store: Store) {}

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

  /** The runs that re-run this one, oldest first. */
  async reruns(runId: string): Promise<string[]> {
    const rows = await this.store.query<{ run_id: string }>(
      'SELECT run_id FROM runs WHERE rerun_of = $1 ORDER BY created_at, claim_seq LIMIT 100',
      [runId],
    );
    return rows.map((row) => row.run_id);
  }

  /** The request that asked the run's remote workflow to stop, when its cancel sent one. */
  cancellation(runId: string): Promise<RunCancellationRecord | undefined> {
    return new RunCancellationRepository(this.store).get(runId);
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
}
