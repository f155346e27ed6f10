import type { Queryable, Store } from '../store';

/** The evaluator's decisions for one trigger in one minute. */
export interface TriggerActivityCounts {
  received: number;
  matched: number;
  dropped: number;
  duplicate: number;
  errors: number;
}

export interface TriggerActivityRow extends TriggerActivityCounts {
  triggerId: string;
  /** The start of the minute. */
  minute: Date;
}

/** One event as a source's recent events keep it: its attributes and the start of its data. */
export interface RecentEvent {
  sourceId: string;
  eventId: string;
  type: string;
  time: Date;
  acceptedAt: Date;
  provider: string;
  subject?: string;
  traceId?: string;
  /** The event's data as JSON (or text), cut to the recorder's bound; absent for an event without data. */
  dataExcerpt?: string;
  /** True when `dataExcerpt` is only the start of the data. */
  dataTruncated: boolean;
}

/** The `source_activity` row of all events the evaluator consumed, each counted once. */
export const ALL_EVENTS = '*';

/**
 * Events of one source in one minute: those it published, and for `event` and `run-status` sources
 * those that reached it by type; with `sourceId` `ALL_EVENTS`, every event consumed.
 */
export interface SourceActivityRow {
  sourceId: string;
  /** The start of the minute. */
  minute: Date;
  events: number;
}

/** What one flush of the evaluator's activity recorder writes. */
export interface ActivityFlush {
  counts: readonly TriggerActivityRow[];
  events: readonly RecentEvent[];
  /** Absent from recorders that count only per trigger. */
  sourceCounts?: readonly SourceActivityRow[];
}

/** Events per minute, all sources together. */
export interface EventMinute {
  minute: Date;
  events: number;
}

/** What the console lists per source: events in a range and when the newest was accepted. */
export interface SourceEventSummary {
  sourceId: string;
  events: number;
  lastEventAt?: Date;
}

export interface ActivityBounds {
  /** Recent events kept per source; older ones are pruned. */
  eventsPerSource: number;
  /** Counts of minutes before this moment are deleted. */
  countsSince: Date;
}

/** A trigger's counts and runs per minute over a range: the evaluator's decisions and the runner's runs. */
export interface TriggerActivityMinute extends TriggerActivityCounts {
  minute: Date;
  /** Runs of the trigger that started in the minute. */
  started: number;
  /** Runs of the trigger that ended FAILED in the minute. */
  failed: number;
}

const COUNT_COLUMNS = ['received', 'matched', 'dropped', 'duplicate', 'errors'] as const;

/**
 * The activity tables (see migration 0007): written in one transaction per flush of the evaluator's
 * recorder, never per event, and read by the history API.
 */
export class ActivityRepository {
  constructor(private readonly store: Store) {}

  /**
   * Adds the counts to what other flushes and replicas recorded, stores the events, and prunes: each
   * touched source down to its last `eventsPerSource` events, and counts older than `countsSince`.
   */
  async record(flush: ActivityFlush, bounds: ActivityBounds): Promise<void> {
    await this.store.transaction(async (tx) => {
      if (flush.counts.length > 0) await addCounts(tx, flush.counts);
      if (flush.sourceCounts && flush.sourceCounts.length > 0) {
        await addSourceCounts(tx, flush.sourceCounts);
      }
      if (flush.events.length > 0) {
        await insertEvents(tx, flush.events);
        await pruneEvents(tx, [...new Set(flush.events.map((e) => e.sourceId))], bounds);
      }
      await tx.query('DELETE FROM trigger_activity WHERE minute < $1', [bounds.countsSince]);
      await tx.query('DELETE FROM source_activity WHERE minute < $1', [bounds.countsSince]);
    });
  }

  /** Per minute with any activity in [since, until), oldest first. */
  async triggerActivity(
    triggerId: string,
    since: Date,
    until: Date,
  ): Promise<TriggerActivityMinute[]> {
    const rows = await this.store.query<{
      minute: Date;
      received: string;
      matched: string;
      dropped: string;
      duplicate: string;
      errors: string;
      started: string;
      failed: string;
    }>(
      `WITH counts AS (
         SELECT minute, received, matched, dropped, duplicate, errors, 0::bigint AS started,
                0::bigint AS failed
           FROM trigger_activity
          WHERE trigger_id = $1 AND minute >= date_trunc('minute', $2::timestamptz) AND minute < $3
         UNION ALL
         SELECT date_trunc('minute', started_at), 0, 0, 0, 0, 0, count(*), 0
           FROM runs WHERE trigger_id = $1 AND started_at >= $2 AND started_at < $3
          GROUP BY 1
         UNION ALL
         SELECT date_trunc('minute', finished_at), 0, 0, 0, 0, 0, 0, count(*)
           FROM runs
          WHERE trigger_id = $1 AND status = 'FAILED' AND finished_at >= $2 AND finished_at < $3
          GROUP BY 1)
       SELECT minute, sum(received) AS received, sum(matched) AS matched, sum(dropped) AS dropped,
              sum(duplicate) AS duplicate, sum(errors) AS errors, sum(started) AS started,
              sum(failed) AS failed
         FROM counts GROUP BY minute ORDER BY minute`,
      [triggerId, since, until],
    );
    return rows.map((row) => ({
      minute: new Date(row.minute),
      received: Number(row.received),
      matched: Number(row.matched),
      dropped: Number(row.dropped),
      duplicate: Number(row.duplicate),
      errors: Number(row.errors),
      started: Number(row.started),
      failed: Number(row.failed),
    }));
  }

  /**
   * Events per minute with any in [since, until), oldest first: every event consumed, or with
   * `owner` the events of that owner's sources (events reach an owner through its sources; one
   * reaching two of them counts twice).
   */
  async eventMinutes(since: Date, until: Date, owner?: string): Promise<EventMinute[]> {
    const rows = await this.store.query<{ minute: Date; events: string }>(
      `SELECT a.minute, sum(a.events) AS events
         FROM source_activity a
        WHERE a.minute >= date_trunc('minute', $1::timestamptz) AND a.minute < $2
          AND CASE WHEN $3::text IS NULL THEN a.source_id = $4
                   ELSE EXISTS (SELECT 1 FROM sources s
                                 WHERE s.id = a.source_id AND s.owner = $3 AND s.deleted_at IS NULL)
              END
        GROUP BY a.minute ORDER BY a.minute`,
      [since, until, owner ?? null, ALL_EVENTS],
    );
    return rows.map((row) => ({ minute: new Date(row.minute), events: Number(row.events) }));
  }

  /** For each source: events since `since` and when its newest recent event was accepted. */
  async sourceSummaries(sourceIds: readonly string[], since: Date): Promise<SourceEventSummary[]> {
    const rows = await this.store.query<{
      source_id: string;
      events: string | null;
      last_event_at: Date | null;
    }>(
      `SELECT id AS source_id,
              (SELECT sum(events) FROM source_activity
                WHERE source_id = id AND minute >= date_trunc('minute', $2::timestamptz)) AS events,
              (SELECT max(accepted_at) FROM source_recent_events
                WHERE source_id = id) AS last_event_at
         FROM unnest($1::text[]) AS id`,
      [sourceIds, since],
    );
    return rows.map((row) => ({
      sourceId: row.source_id,
      events: Number(row.events ?? 0),
      ...(row.last_event_at === null ? {} : { lastEventAt: new Date(row.last_event_at) }),
    }));
  }

  /** The source's last `limit` events, newest first. */
  async recentEvents(sourceId: string, limit: number): Promise<RecentEvent[]> {
    const rows = await this.store.query<{
      source_id: string;
      event_id: string;
      type: string;
      event_time: Date;
      accepted_at: Date;
      provider: string;
      subject: string | null;
      trace_id: string | null;
      data_excerpt: string | null;
      data_truncated: boolean;
    }>(`SELECT * FROM source_recent_events WHERE source_id = $1 ORDER BY seq DESC LIMIT $2`, [
      sourceId,
      limit,
    ]);
    return rows.map((row) => ({
      sourceId: row.source_id,
      eventId: row.event_id,
      type: row.type,
      time: new Date(row.event_time),
      acceptedAt: new Date(row.accepted_at),
      provider: row.provider,
      ...(row.subject === null ? {} : { subject: row.subject }),
      ...(row.trace_id === null ? {} : { traceId: row.trace_id }),
      ...(row.data_excerpt === null ? {} : { dataExcerpt: row.data_excerpt }),
      dataTruncated: row.data_truncated,
    }));
  }
}

/**
 * One statement for every row; the recorder sends each (trigger, minute) once per flush. Rows go in
 * key order, so replicas flushing the same minutes lock them in the same order and cannot deadlock.
 */
async function addCounts(tx: Queryable, counts: readonly TriggerActivityRow[]): Promise<void> {
  const updates = COUNT_COLUMNS.map((c) => `${c} = trigger_activity.${c} + excluded.${c}`);
  await tx.query(
    `INSERT INTO trigger_activity (trigger_id, minute, ${COUNT_COLUMNS.join(', ')})
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[],
                          $6::bigint[], $7::bigint[]) AS c(trigger_id, minute)
      ORDER BY trigger_id, minute
     ON CONFLICT (trigger_id, minute) DO UPDATE SET ${updates.join(', ')}`,
    [
      counts.map((c) => c.triggerId),
      counts.map((c) => c.minute.toISOString()),
      ...COUNT_COLUMNS.map((column) => counts.map((c) => c[column])),
    ],
  );
}

/** Like `addCounts`: per-source minutes add up across flushes and replicas, in key order. */
async function addSourceCounts(tx: Queryable, counts: readonly SourceActivityRow[]): Promise<void> {
  await tx.query(
    `INSERT INTO source_activity (source_id, minute, events)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS c(source_id, minute)
      ORDER BY source_id, minute
     ON CONFLICT (source_id, minute) DO UPDATE
       SET events = source_activity.events + excluded.events`,
    [
      counts.map((c) => displayable(c.sourceId)),
      counts.map((c) => c.minute.toISOString()),
      counts.map((c) => c.events),
    ],
  );
}

/** An event seen again (a replay, or the same id emitted twice) keeps its first place. */
async function insertEvents(tx: Queryable, events: readonly RecentEvent[]): Promise<void> {
  await tx.query(
    `INSERT INTO source_recent_events (source_id, event_id, type, event_time, accepted_at, provider,
            subject, trace_id, data_excerpt, data_truncated)
     SELECT source_id, event_id, type, event_time, accepted_at, provider, subject, trace_id,
            data_excerpt, data_truncated
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                          $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
         WITH ORDINALITY AS e(source_id, event_id, type, event_time, accepted_at, provider, subject,
                              trace_id, data_excerpt, data_truncated, position)
      ORDER BY position
     ON CONFLICT (source_id, event_id) DO NOTHING`,
    [
      events.map((e) => displayable(e.sourceId)),
      events.map((e) => displayable(e.eventId)),
      events.map((e) => displayable(e.type)),
      events.map((e) => e.time.toISOString()),
      events.map((e) => e.acceptedAt.toISOString()),
      events.map((e) => e.provider),
      events.map((e) => (e.subject === undefined ? null : displayable(e.subject))),
      events.map((e) => e.traceId ?? null),
      events.map((e) => (e.dataExcerpt === undefined ? null : displayable(e.dataExcerpt))),
      events.map((e) => e.dataTruncated),
    ],
  );
}

/**
 * Text as PostgreSQL can store it: U+0000, which text columns refuse, shown as U+FFFD. Recent events
 * are for people to look at, and one odd event must not make every later flush fail.
 */
function displayable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

async function pruneEvents(
  tx: Queryable,
  sourceIds: readonly string[],
  bounds: ActivityBounds,
): Promise<void> {
  await tx.query(
    `DELETE FROM source_recent_events e
      USING (SELECT source_id, event_id,
                    row_number() OVER (PARTITION BY source_id ORDER BY seq DESC) AS newer
               FROM source_recent_events WHERE source_id = ANY($1::text[])) ranked
      WHERE ranked.newer > $2 AND e.source_id = ranked.source_id AND e.event_id = ranked.event_id`,
    [sourceIds, bounds.eventsPerSource],
  );
}
