import type { RunStatus } from '@flint/contracts';
import type { Store } from '../store';
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
}
