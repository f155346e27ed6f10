import type { Decision } from '@flint/contracts';
import type { Queryable, Store } from '../store';
import { storableJson } from './storable-json';

/** One consumed event as the evaluator archives it. */
export interface ArchiveEntry {
  acceptedAt: Date;
  eventId: string;
  owner?: string;
  sourceId: string;
  provider: string;
  type: string;
  /** The whole CloudEvent. */
  event: Record<string, unknown>;
  /** Produced by a Flint service (signed), not by a foreign producer on the events topic. */
  fromFlint: boolean;
  /** The triggers it fired (a run requested now or held by a rate limit). */
  fired: readonly string[];
  decisions: readonly Decision[];
  /** Decisions left out past the per-event cap. */
  decisionsOmitted: number;
  /** The archived event this one replays. */
  replayOf?: string;
}

/** An archived event as read back. */
export interface ArchivedEvent extends ArchiveEntry {
  archivedAt: Date;
}

/** Where a page of the archive ends: the last event's acceptance time and id. */
export interface ArchiveCursor {
  acceptedAt: Date;
  eventId: string;
}

export interface ArchiveQuery {
  owner?: string;
  sourceId?: string;
  type?: string;
  /** Accepted at or after. */
  since?: Date;
  /** Accepted before. */
  until?: Date;
  /** Only the events that caused this run. */
  runId?: string;
  /** Only events that fired (true) or fired nothing (false). */
  fired?: boolean;
  /** Events after (older than) this cursor. */
  after?: ArchiveCursor;
  limit: number;
}

export interface ArchivePartition {
  name: string;
  /** The UTC day it holds. */
  day: Date;
  bytes: number;
}

const DAY_MS = 24 * 3600 * 1000;
const PARTITION_PREFIX = 'event_archive_p';

/**
 * The event archive (`event_archive`, migration 0013): one multi-row insert per consumed batch,
 * reads for the history API, and the day partitions retention drops. The writer creates a day's
 * partition the first time it meets the day, and remembers which days exist.
 */
export class EventArchiveRepository {
  private readonly days = new Set<string>();

  constructor(private readonly store: Store) {}

  /** Archives a batch in one statement; an entry already archived (same time and id) is skipped. */
  async write(entries: readonly ArchiveEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ensurePartitions(entries.map((entry) => entry.acceptedAt));
    try {
      await insertEntries(this.store, entries);
    } catch (err) {
      // Retention dropped a partition this writer still believed in: learn the days again once.
      if (sqlState(err) !== NO_PARTITION) throw err;
      this.days.clear();
      await this.ensurePartitions(entries.map((entry) => entry.acceptedAt));
      await insertEntries(this.store, entries);
    }
  }

  /** Creates the partitions of these moments' days that do not exist yet. */
  async ensurePartitions(moments: readonly Date[]): Promise<void> {
    for (const day of new Set(moments.map(dayOf))) {
      if (this.days.has(day)) continue;
      await this.createPartition(day);
      this.days.add(day);
    }
  }

  /** A page of the archive, newest first, keyed on (accepted_at, event_id). */
  async page(
    query: ArchiveQuery,
    withEvent: boolean,
  ): Promise<{ events: ArchivedEvent[]; next?: ArchiveCursor }> {
    const rows = await this.store.query<ArchiveRow>(
      `SELECT accepted_at, event_id, owner, source_id, provider, type, archived_at, fired,
              ${withEvent ? 'event' : `'{}'::jsonb AS event`}, '[]'::jsonb AS decisions,
              jsonb_array_length(decisions) + decisions_omitted AS decisions_omitted, replay_of,
              from_flint
         FROM event_archive
        WHERE ($1::text IS NULL OR owner = $1)
          AND ($2::text IS NULL OR source_id = $2)
          AND ($3::text IS NULL OR type = $3)
          AND ($4::timestamptz IS NULL OR accepted_at >= $4)
          AND ($5::timestamptz IS NULL OR accepted_at < $5)
          AND ($6::text IS NULL OR event_id = ANY (SELECT unnest(event_ids) FROM runs WHERE run_id = $6))
          AND ($7::boolean IS NULL OR (cardinality(fired) > 0) = $7)
          AND ($8::timestamptz IS NULL OR (accepted_at, event_id) < ($8, $9::text))
        ORDER BY accepted_at DESC, event_id DESC
        LIMIT $10`,
      [
        query.owner ?? null,
        query.sourceId ?? null,
        query.type ?? null,
        query.since?.toISOString() ?? null,
        query.until?.toISOString() ?? null,
        query.runId ?? null,
        query.fired ?? null,
        query.after?.acceptedAt.toISOString() ?? null,
        query.after?.eventId ?? null,
        query.limit + 1,
      ],
    );
    const page = rows.slice(0, query.limit).map(toArchivedEvent);
    const last = page.at(-1);
    return {
      events: page,
      ...(rows.length > query.limit && last
        ? { next: { acceptedAt: last.acceptedAt, eventId: last.eventId } }
        : {}),
    };
  }

  /**
   * Archived events that are no replays themselves, oldest first from after `after`, whole: what a
   * replay re-publishes. Keyed on (accepted_at, event_id) like the pages.
   */
  async originals(
    query: Pick<ArchiveQuery, 'owner' | 'sourceId' | 'type' | 'since' | 'until'>,
    after: ArchiveCursor | undefined,
    limit: number,
  ): Promise<ArchivedEvent[]> {
    const rows = await this.store.query<ArchiveRow>(
      `SELECT * FROM event_archive
        WHERE replay_of IS NULL
          AND ($1::text IS NULL OR owner = $1)
          AND ($2::text IS NULL OR source_id = $2)
          AND ($3::text IS NULL OR type = $3)
          AND ($4::timestamptz IS NULL OR accepted_at >= $4)
          AND ($5::timestamptz IS NULL OR accepted_at < $5)
          AND ($6::timestamptz IS NULL OR (accepted_at, event_id) > ($6, $7::text))
        ORDER BY accepted_at, event_id
        LIMIT $8`,
      [
        query.owner ?? null,
        query.sourceId ?? null,
        query.type ?? null,
        query.since?.toISOString() ?? null,
        query.until?.toISOString() ?? null,
        after?.acceptedAt.toISOString() ?? null,
        after?.eventId ?? null,
        limit,
      ],
    );
    return rows.map(toArchivedEvent);
  }

  /**
   * The CloudEvents alone of `originals` accepted in `[since, until)`, oldest first from after
   * `after`: what a backtest reads, in pages through the table's key (each page an index range, the
   * decisions left in the database). A page comes as one JSON array in one row: parsed at once, it
   * costs a fraction of a row per event (measured: about half the backtest's CPU went to rows).
   */
  async originalEvents(
    since: Date,
    until: Date,
    after: ArchiveCursor | undefined,
    limit: number,
  ): Promise<{
    events: { event: Record<string, unknown>; fromFlint: boolean }[];
    next?: ArchiveCursor;
  }> {
    const [row] = await this.store.query<{
      count: number;
      events: string;
      from_flint: string;
      at: string | null;
      event_id: string | null;
    }>(
      `WITH page AS (
         SELECT accepted_at, event_id, event, from_flint FROM event_archive
          WHERE replay_of IS NULL AND accepted_at >= $1 AND accepted_at < $2
            ${after === undefined ? '' : 'AND (accepted_at, event_id) > ($4, $5)'}
          ORDER BY accepted_at, event_id
          LIMIT $3),
       last AS (SELECT accepted_at, event_id FROM page ORDER BY accepted_at DESC, event_id DESC LIMIT 1)
       SELECT (SELECT count(*)::int FROM page) AS count,
              (SELECT coalesce(json_agg(event ORDER BY accepted_at, event_id), '[]')::text FROM page)
                AS events,
              -- One character per event, in the same order: 1 when a Flint service produced it.
              (SELECT coalesce(string_agg(CASE WHEN from_flint THEN '1' ELSE '0' END, ''
                                          ORDER BY accepted_at, event_id), '') FROM page)
                AS from_flint,
              -- ISO in UTC, to the millisecond as the evaluator writes it.
              (SELECT to_char(accepted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM last)
                AS at,
              (SELECT event_id FROM last) AS event_id`,
      [
        since.toISOString(),
        until.toISOString(),
        limit,
        ...(after === undefined ? [] : [after.acceptedAt.toISOString(), after.eventId]),
      ],
    );
    const events = JSON.parse(row?.events ?? '[]') as Record<string, unknown>[];
    return {
      events: events.map((event, i) => ({ event, fromFlint: row?.from_flint[i] === '1' })),
      ...(row !== undefined &&
        row.count === limit &&
        row.at !== null &&
        row.event_id !== null && { next: { acceptedAt: new Date(row.at), eventId: row.event_id } }),
    };
  }

  /** The newest archived event with this id (an id sent twice is archived twice), decisions and all. */
  async get(eventId: string, owner?: string): Promise<ArchivedEvent | undefined> {
    const [row] = await this.store.query<ArchiveRow>(
      `SELECT * FROM event_archive WHERE event_id = $1 AND ($2::text IS NULL OR owner = $2)
        ORDER BY accepted_at DESC LIMIT 1`,
      [eventId, owner ?? null],
    );
    return row === undefined ? undefined : toArchivedEvent(row);
  }

  /** Events archived at or after `since`, oldest first (for the live stream). */
  async archivedSince(since: Date, limit: number): Promise<ArchivedEvent[]> {
    const rows = await this.store.query<ArchiveRow>(
      `SELECT * FROM event_archive WHERE archived_at >= $1 ORDER BY archived_at, event_id LIMIT $2`,
      [since.toISOString(), limit],
    );
    return rows.map(toArchivedEvent);
  }

  /** Every day partition, oldest first, with its size on disk. */
  async partitions(): Promise<ArchivePartition[]> {
    const rows = await this.store.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'event_archive'::regclass
        ORDER BY c.relname`,
    );
    return rows
      .map((row) => ({ name: row.name, day: dayFromName(row.name), bytes: Number(row.bytes) }))
      .filter((partition): partition is ArchivePartition => partition.day !== undefined);
  }

  /** Drops one day's partition: the whole day goes at once, whatever its size. */
  async dropPartition(day: Date): Promise<void> {
    const key = dayOf(day);
    await this.store.query(`DROP TABLE IF EXISTS ${partitionName(key)}`);
    this.days.delete(key);
  }

  /**
   * Deletes up to `batchSize` events accepted before `before` whose owner is `owner` (or, with
   * `exceptOwners`, any owner but those): for owners kept shorter than the partitions are.
   */
  async deleteOwned(
    filter: { owner: string } | { exceptOwners: readonly string[] },
    before: Date,
    batchSize: number,
  ): Promise<number> {
    const [deleted] = await this.store.query<{ count: number }>(
      `WITH doomed AS (
         SELECT accepted_at, event_id FROM event_archive
          WHERE accepted_at < $1
            AND ${'owner' in filter ? 'owner = $2' : "NOT (coalesce(owner, '') = ANY ($2::text[]))"}
          LIMIT $3),
       deleted AS (
         DELETE FROM event_archive a USING doomed d
          WHERE a.accepted_at = d.accepted_at AND a.event_id = d.event_id RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [before.toISOString(), 'owner' in filter ? filter.owner : filter.exceptOwners, batchSize],
    );
    return deleted?.count ?? 0;
  }

  private async createPartition(day: string): Promise<void> {
    const from = new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T00:00:00Z`);
    const to = new Date(from.getTime() + DAY_MS);
    try {
      await this.store.query(
        `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF event_archive
           FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    } catch (err) {
      // Another replica created it between our check and our statement.
      if (sqlState(err) !== DUPLICATE_TABLE && sqlState(err) !== UNIQUE_VIOLATION) throw err;
    }
  }
}

interface ArchiveRow {
  accepted_at: Date | string;
  event_id: string;
  owner: string | null;
  source_id: string;
  provider: string;
  type: string;
  archived_at: Date | string;
  event: Record<string, unknown>;
  fired: string[];
  decisions: Decision[];
  decisions_omitted: number;
  replay_of: string | null;
  from_flint: boolean;
}

function toArchivedEvent(row: ArchiveRow): ArchivedEvent {
  return {
    acceptedAt: new Date(row.accepted_at),
    eventId: row.event_id,
    ...(row.owner === null ? {} : { owner: row.owner }),
    sourceId: row.source_id,
    provider: row.provider,
    type: row.type,
    archivedAt: new Date(row.archived_at),
    event: row.event,
    fromFlint: row.from_flint,
    fired: row.fired,
    decisions: row.decisions,
    decisionsOmitted: Number(row.decisions_omitted),
    ...(row.replay_of === null ? {} : { replayOf: row.replay_of }),
  };
}

async function insertEntries(db: Queryable, entries: readonly ArchiveEntry[]): Promise<void> {
  await db.query(
    `INSERT INTO event_archive (accepted_at, event_id, owner, source_id, provider, type, event,
            fired, decisions, decisions_omitted, replay_of, from_flint)
     SELECT accepted_at, event_id, owner, source_id, provider, type, event::jsonb,
            ARRAY(SELECT jsonb_array_elements_text(fired::jsonb)), decisions::jsonb,
            decisions_omitted, replay_of, from_flint
       FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                   $7::text[], $8::text[], $9::text[], $10::integer[], $11::text[], $12::boolean[])
         AS e(accepted_at, event_id, owner, source_id, provider, type, event, fired, decisions,
              decisions_omitted, replay_of, from_flint)
     ON CONFLICT DO NOTHING`,
    [
      entries.map((e) => e.acceptedAt.toISOString()),
      entries.map((e) => e.eventId),
      entries.map((e) => e.owner ?? null),
      entries.map((e) => e.sourceId),
      entries.map((e) => e.provider),
      entries.map((e) => e.type),
      entries.map((e) => storableJson(e.event)),
      entries.map((e) => JSON.stringify(e.fired)),
      entries.map((e) => storableJson(e.decisions)),
      entries.map((e) => e.decisionsOmitted),
      entries.map((e) => e.replayOf ?? null),
      entries.map((e) => e.fromFlint),
    ],
  );
}

/** `YYYYMMDD` of the UTC day. */
function dayOf(moment: Date): string {
  return moment.toISOString().slice(0, 10).replaceAll('-', '');
}

function partitionName(day: string): string {
  if (!/^\d{8}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `${PARTITION_PREFIX}${day}`;
}

function dayFromName(name: string): Date | undefined {
  const match = /^event_archive_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`) : undefined;
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const NO_PARTITION = '23514';
const DUPLICATE_TABLE = '42P07';
const UNIQUE_VIOLATION = '23505';
