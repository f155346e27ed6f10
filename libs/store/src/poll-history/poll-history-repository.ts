import type { Queryable } from '../store';

/** Polls kept per source; older ones are deleted as new ones are recorded. */
export const POLL_HISTORY_LIMIT = 100;

export type PollOutcomeKind = 'fired' | 'not-fired' | 'failed';

export interface PollRecord {
  polledAt: Date;
  durationMs: number;
  outcome: PollOutcomeKind;
  /** Events the poll emitted. */
  fired: number;
  /** Contexts left out because the run they started is still going. */
  skipped: number;
  error?: { type: string; message: string };
}

interface PollRow {
  polled_at: Date | string;
  duration_ms: number;
  outcome: PollOutcomeKind;
  fired: number;
  skipped: number;
  error_type: string | null;
  error_message: string | null;
}

/**
 * The `poll_history` table (migration 0011): what each poll of a poll function source came to. The
 * poller records, the API reads.
 */
export class PollHistoryRepository {
  constructor(private readonly db: Queryable) {}

  /** Records one poll and forgets the source's polls beyond the last POLL_HISTORY_LIMIT. */
  async record(sourceId: string, poll: PollRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO poll_history
         (source_id, polled_at, duration_ms, outcome, fired, skipped, error_type, error_message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        sourceId,
        poll.polledAt,
        poll.durationMs,
        poll.outcome,
        poll.fired,
        poll.skipped,
        poll.error?.type.slice(0, 256) ?? null,
        poll.error?.message.slice(0, 4096) ?? null,
      ],
    );
    await this.db.query(
      `DELETE FROM poll_history
        WHERE source_id = $1
          AND id <= (SELECT id FROM poll_history WHERE source_id = $1
                      ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [sourceId, POLL_HISTORY_LIMIT],
    );
  }

  /** The source's polls, newest first. */
  async list(sourceId: string, limit = POLL_HISTORY_LIMIT): Promise<PollRecord[]> {
    const rows = await this.db.query<PollRow>(
      `SELECT polled_at, duration_ms, outcome, fired, skipped, error_type, error_message
         FROM poll_history WHERE source_id = $1 ORDER BY id DESC LIMIT $2`,
      [sourceId, limit],
    );
    return rows.map((row) => ({
      polledAt: new Date(row.polled_at),
      durationMs: row.duration_ms,
      outcome: row.outcome,
      fired: row.fired,
      skipped: row.skipped,
      ...(row.error_type === null
        ? {}
        : { error: { type: row.error_type, message: row.error_message ?? '' } }),
    }));
  }

  /** Forgets a deleted or disabled source's polls. */
  async forget(sourceId: string): Promise<void> {
    await this.db.query('DELETE FROM poll_history WHERE source_id = $1', [sourceId]);
  }
}
