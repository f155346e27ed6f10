import type { Store } from '../store';

/** A message read from the dead-letter topic, as the index keeps it. */
export interface NewDeadLetter {
  /** Where on the dead-letter topic it is: its identity, so reading it twice indexes it once. */
  dlqPartition: number;
  dlqOffset: string;
  reason: string;
  error?: string;
  sourceTopic: string;
  sourcePartition?: number;
  sourceOffset?: string;
  sourceId?: string;
  origin?: string;
  failedAt: Date;
  key: string | null;
  value: Buffer | null;
  /** The original headers, without the `flint_dlq_*` ones. */
  headers: Record<string, string>;
}

export interface DeadLetterRecord extends NewDeadLetter {
  /** The index's own sequence number: newest is highest. */
  id: string;
  resentAt?: Date;
  resendCount: number;
  indexedAt: Date;
}

export interface DeadLetterFilter {
  reason?: string;
  sourceTopic?: string;
  sourceId?: string;
  /** Failed at or after. */
  since?: Date;
  /** Failed before. */
  until?: Date;
  /** Only those re-sent (true) or never re-sent (false). */
  resent?: boolean;
}

export interface DeadLetterPage {
  items: DeadLetterRecord[];
  /** The id to page on from, when older ones remain. */
  next?: string;
}

interface DeadLetterRow {
  seq: string;
  dlq_partition: number;
  dlq_offset: string;
  reason: string;
  error: string | null;
  source_topic: string;
  source_partition: number | null;
  source_offset: string | null;
  source_id: string | null;
  origin: string | null;
  failed_at: Date;
  message_key: string | null;
  message_value: Buffer | Uint8Array | null;
  message_headers: Record<string, string>;
  resent_at: Date | null;
  resend_count: number;
  indexed_at: Date;
}

/** Most dead letters one statement indexes: 13 parameters each. */
const ROWS_PER_INSERT = 500;
const PARAMS_PER_ROW = 13;

/**
 * The index of the dead-letter topic: what the API lists, shows, re-sends and purges. Rows are
 * keyed by their place on the topic, so a replayed batch indexes nothing twice. A purged dead letter
 * keeps its row (without its bytes), so reading the topic again cannot bring it back.
 */
export class DeadLetterRepository {
  constructor(private readonly store: Store) {}

  async index(letters: readonly NewDeadLetter[]): Promise<void> {
    for (let i = 0; i < letters.length; i += ROWS_PER_INSERT) {
      const chunk = letters.slice(i, i + ROWS_PER_INSERT);
      const values = chunk.map((_, row) => {
        const p = (n: number) => `$${row * PARAMS_PER_ROW + n}`;
        return `(${p(1)}::integer, ${p(2)}::bigint, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::integer,
                 ${p(7)}::bigint, ${p(8)}, ${p(9)}, ${p(10)}::timestamptz, ${p(11)}, ${p(12)}::bytea,
                 ${p(13)}::jsonb)`;
      });
      await this.store.query(
        `INSERT INTO dead_letters (dlq_partition, dlq_offset, reason, error, source_topic,
                source_partition, source_offset, source_id, origin, failed_at, message_key,
                message_value, message_headers)
         VALUES ${values.join(', ')}
         ON CONFLICT (dlq_partition, dlq_offset) DO NOTHING`,
        chunk.flatMap((letter) => [
          letter.dlqPartition,
          letter.dlqOffset,
          letter.reason,
          letter.error ?? null,
          letter.sourceTopic,
          letter.sourcePartition ?? null,
          letter.sourceOffset ?? null,
          letter.sourceId ?? null,
          letter.origin ?? null,
          letter.failedAt.toISOString(),
          letter.key,
          letter.value,
          JSON.stringify(letter.headers),
        ]),
      );
    }
  }

  /** Newest first; `after` is the `next` of the previous page. Purged ones are left out. */
  async list(
    filter: DeadLetterFilter,
    page: { after?: string; limit: number },
  ): Promise<DeadLetterPage> {
    const [where, params] = filterSql(filter);
    const rows = await this.store.query<DeadLetterRow>(
      `SELECT * FROM dead_letters
        WHERE ${where} AND ($${params.length + 1}::bigint IS NULL OR seq < $${params.length + 1})
        ORDER BY seq DESC
        LIMIT $${params.length + 2}`,
      [...params, page.after ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map(toRecord);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: last.id } : { items };
  }

  async get(id: string): Promise<DeadLetterRecord | undefined> {
    const [row] = await this.store.query<DeadLetterRow>(
      'SELECT * FROM dead_letters WHERE seq = $1::bigint AND purged_at IS NULL',
      [id],
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * What the overview shows: those neither re-sent nor purged, and those (not purged) that failed
   * in [since, until).
   */
  async counts(since: Date, until: Date): Promise<{ waiting: number; inRange: number }> {
    const [row] = await this.store.query<{ waiting: string; in_range: string }>(
      `SELECT count(*) FILTER (WHERE resent_at IS NULL) AS waiting,
              count(*) FILTER (WHERE failed_at >= $1 AND failed_at < $2) AS in_range
         FROM dead_letters WHERE purged_at IS NULL`,
      [since.toISOString(), until.toISOString()],
    );
    return { waiting: Number(row?.waiting ?? 0), inRange: Number(row?.in_range ?? 0) };
  }

  /** Records that these were re-sent now. */
  async markResent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.store.query(
      `UPDATE dead_letters SET resent_at = now(), resend_count = resend_count + 1
        WHERE seq = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Drops the bytes of the dead letters matching `filter` (or the one `id`); returns how many. */
  async purge(filter: DeadLetterFilter & { id?: string }): Promise<number> {
    const [where, params] = filterSql(filter);
    const idParam = params.length + 1;
    const rows = await this.store.query<{ seq: string }>(
      `UPDATE dead_letters SET purged_at = now(), message_value = NULL, message_headers = '{}',
              error = NULL
        WHERE ${where} AND ($${idParam}::bigint IS NULL OR seq = $${idParam})
        RETURNING seq`,
      [...params, filter.id ?? null],
    );
    return rows.length;
  }

  /**
   * Deletes at most `batchSize` dead letters that failed before `before` (the retention), purged or
   * not; returns how many. Rows another replica is deleting right now are skipped.
   */
  async pruneFailedBefore(before: Date, batchSize: number): Promise<number> {
    const [deleted] = await this.store.query<{ count: number }>(
      `WITH doomed AS (
         SELECT seq FROM dead_letters WHERE failed_at < $1::timestamptz
          LIMIT $2 FOR UPDATE SKIP LOCKED),
       deleted AS (DELETE FROM dead_letters WHERE seq IN (SELECT seq FROM doomed) RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [before.toISOString(), batchSize],
    );
    return deleted?.count ?? 0;
  }
}

function filterSql(filter: DeadLetterFilter): [string, unknown[]] {
  const params: unknown[] = [
    filter.reason ?? null,
    filter.sourceTopic ?? null,
    filter.sourceId ?? null,
    filter.since?.toISOString() ?? null,
    filter.until?.toISOString() ?? null,
    filter.resent ?? null,
  ];
  return [
    `purged_at IS NULL
       AND ($1::text IS NULL OR reason = $1)
       AND ($2::text IS NULL OR source_topic = $2)
       AND ($3::text IS NULL OR source_id = $3)
       AND ($4::timestamptz IS NULL OR failed_at >= $4)
       AND ($5::timestamptz IS NULL OR failed_at < $5)
       AND ($6::boolean IS NULL OR (resent_at IS NOT NULL) = $6)`,
    params,
  ];
}

function toRecord(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: String(row.seq),
    dlqPartition: row.dlq_partition,
    dlqOffset: String(row.dlq_offset),
    reason: row.reason,
    ...(row.error === null ? {} : { error: row.error }),
    sourceTopic: row.source_topic,
    ...(row.source_partition === null ? {} : { sourcePartition: row.source_partition }),
    ...(row.source_offset === null ? {} : { sourceOffset: String(row.source_offset) }),
    ...(row.source_id === null ? {} : { sourceId: row.source_id }),
    ...(row.origin === null ? {} : { origin: row.origin }),
    failedAt: new Date(row.failed_at),
    key: row.message_key,
    value: row.message_value === null ? null : Buffer.from(row.message_value),
    headers: row.message_headers,
    ...(row.resent_at === null ? {} : { resentAt: new Date(row.resent_at) }),
    resendCount: row.resend_count,
    indexedAt: new Date(row.indexed_at),
  };
}
