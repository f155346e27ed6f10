import type { Store } from '../store';

/** How often each provider replica reports the sources it runs. */
export const SOURCE_STATUS_REPORT_INTERVAL_MS = 10_000;

/**
 * A report older than this is no report: the replica stopped or lost the database. Three intervals,
 * so one slow or failed report does not make a healthy source look down.
 */
export const SOURCE_STATUS_STALE_MS = 3 * SOURCE_STATUS_REPORT_INTERVAL_MS;

/** Rows of replicas gone for this long are deleted by the next report of any replica. */
const FORGET_AFTER_MS = 24 * 3_600_000;

/** One source as one replica runs it (the provider SDK's `SourceStatus`). */
export interface ReportedSource {
  sourceId: string;
  version: number;
  /** `starting`, `waiting-for-lease`, `running`, `invalid`, `failed` or `stopping`. */
  state: string;
  /** Why it is invalid or failed; never a secret value. */
  error?: string;
  /** Of a connection-based source: `connecting`, `up`, `reconnecting` or `failed`. */
  connection?: string;
  /** When its last event was accepted. */
  lastEventAt?: Date;
  /** Messages it is behind upstream, where the protocol tells. */
  lag?: number;
  /** When its work (a poll, a fire, a scan, a call, a connection) last succeeded. */
  lastSuccessAt?: Date;
  /** Its latest failure, kept after it recovers; never a secret value. */
  lastError?: string;
  lastErrorAt?: Date;
  /** Failed attempts since the last success. */
  consecutiveFailures?: number;
}

export interface SourceStatusRow extends ReportedSource {
  replica: string;
  provider: string;
  reportedAt: Date;
}

/**
 * The `source_status` table (migrations 0008, 0010, 0017): each provider replica replaces its own rows with what
 * it runs now, so the API can tell which sources are up, failing or run by nobody.
 */
export class SourceStatusRepository {
  constructor(private readonly store: Store) {}

  /**
   * Replaces everything `replica` said about `provider`'s sources with `sources` (an empty list when
   * it stops), in one transaction, and forgets replicas silent for a day.
   */
  async report(
    replica: string,
    provider: string,
    sources: readonly ReportedSource[],
  ): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM source_status
          WHERE (replica = $1 AND provider = $2 AND NOT (source_id = ANY($3::text[])))
             OR reported_at < now() - make_interval(secs => $4::double precision / 1000)`,
        [replica, provider, sources.map((s) => s.sourceId), FORGET_AFTER_MS],
      );
      if (sources.length === 0) return;
      await tx.query(
        `INSERT INTO source_status
           (source_id, replica, provider, version, state, error, connection, last_event_at, lag,
            last_success_at, last_error, last_error_at, consecutive_failures, reported_at)
         SELECT source_id, $1, $2, version, state, error, connection, last_event_at, lag,
                last_success_at, last_error, last_error_at, consecutive_failures, now()
           FROM unnest($3::text[], $4::integer[], $5::text[], $6::text[], $7::text[],
                       $8::timestamptz[], $9::bigint[], $10::timestamptz[], $11::text[],
                       $12::timestamptz[], $13::integer[])
             AS s(source_id, version, state, error, connection, last_event_at, lag,
                  last_success_at, last_error, last_error_at, consecutive_failures)
         ON CONFLICT (source_id, replica) DO UPDATE
           SET provider = EXCLUDED.provider, version = EXCLUDED.version, state = EXCLUDED.state,
               error = EXCLUDED.error, connection = EXCLUDED.connection,
               last_event_at = EXCLUDED.last_event_at, lag = EXCLUDED.lag,
               last_success_at = EXCLUDED.last_success_at, last_error = EXCLUDED.last_error,
               last_error_at = EXCLUDED.last_error_at,
               consecutive_failures = EXCLUDED.consecutive_failures,
               reported_at = EXCLUDED.reported_at`,
        [
          replica,
          provider,
          sources.map((s) => s.sourceId),
          sources.map((s) => s.version),
          sources.map((s) => s.state),
          sources.map((s) => s.error ?? null),
          sources.map((s) => s.connection ?? null),
          sources.map((s) => s.lastEventAt?.toISOString() ?? null),
          sources.map((s) => (s.lag === undefined ? null : String(s.lag))),
          sources.map((s) => s.lastSuccessAt?.toISOString() ?? null),
          sources.map((s) => s.lastError ?? null),
          sources.map((s) => s.lastErrorAt?.toISOString() ?? null),
          sources.map((s) => s.consecutiveFailures ?? null),
        ],
      );
    });
  }

  /** Reports newer than `SOURCE_STATUS_STALE_MS`, for the given sources or all when omitted. */
  async fresh(sourceIds?: readonly string[]): Promise<SourceStatusRow[]> {
    const rows = await this.store.query<{
      source_id: string;
      replica: string;
      provider: string;
      version: number;
      state: string;
      error: string | null;
      connection: string | null;
      last_event_at: Date | null;
      lag: string | null;
      last_success_at: Date | null;
      last_error: string | null;
      last_error_at: Date | null;
      consecutive_failures: number | null;
      reported_at: Date;
    }>(
      `SELECT * FROM source_status
        WHERE reported_at >= now() - make_interval(secs => $1::double precision / 1000)
          AND ($2::text[] IS NULL OR source_id = ANY($2::text[]))`,
      [SOURCE_STATUS_STALE_MS, sourceIds ?? null],
    );
    return rows.map((row) => ({
      sourceId: row.source_id,
      replica: row.replica,
      provider: row.provider,
      version: row.version,
      state: row.state,
      ...(row.error === null ? {} : { error: row.error }),
      ...(row.connection === null ? {} : { connection: row.connection }),
      ...(row.last_event_at === null ? {} : { lastEventAt: new Date(row.last_event_at) }),
      ...(row.lag === null ? {} : { lag: Number(row.lag) }),
      ...(row.last_success_at === null ? {} : { lastSuccessAt: new Date(row.last_success_at) }),
      ...(row.last_error === null ? {} : { lastError: row.last_error }),
      ...(row.last_error_at === null ? {} : { lastErrorAt: new Date(row.last_error_at) }),
      ...(row.consecutive_failures === null
        ? {}
        : { consecutiveFailures: row.consecutive_failures }),
      reportedAt: new Date(row.reported_at),
    }));
  }
}
