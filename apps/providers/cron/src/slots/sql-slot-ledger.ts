import { Batcher } from '@flint/common';
import { ProviderStateRepository, type Queryable } from '@flint/store';
import type { ScheduleRecord } from '../schedule/schedule-record';
import type { SlotLedger } from './slot-ledger';

/** A schedule record as stored, with readable times. */
type StoredScheduleRecord = Omit<ScheduleRecord, 'since' | 'definedAt'> & {
  since: string;
  definedAt: string;
};

/** The schedule record's key in `provider_state`. */
const SCHEDULE_KEY = 'schedule';

const STALE = `now() - make_interval(secs => $4::double precision / 1000)`;

function iso(time: number): string {
  return new Date(time).toISOString();
}

interface SlotWrite {
  sourceId: string;
  slot: number;
  replicaId: string;
}

interface SlotClaim extends SlotWrite {
  staleAfterMs: number;
}

/** Most slots one claim or mark statement carries: three parameters whatever the count. */
const SLOTS_PER_STATEMENT = 1000;

/**
 * The claims and marks of every ledger on one database handle, gathered per turn of the event loop:
 * the schedules due on the same second (every `* * * * * *` source) then cost one statement per
 * turn instead of one each.
 */
interface SlotWriters {
  claims: Batcher<SlotClaim, boolean>;
  marks: Batcher<SlotWrite, void>;
}

const writersByDb = new WeakMap<Queryable, SlotWriters>();

function slotWriters(db: Queryable): SlotWriters {
  let writers = writersByDb.get(db);
  if (writers === undefined) {
    // The same slot twice in one statement would make its upsert touch a row twice (an error):
    // repeats, such as two replicas in one process, go in a statement of their own.
    const keyOf = (write: SlotWrite) => slotKey(write.sourceId, write.slot);
    writers = {
      claims: new Batcher<SlotClaim, boolean>((claims) => claimSlots(db, claims), {
        flush: 'end-of-turn',
        maxBatch: SLOTS_PER_STATEMENT,
        keyOf,
      }),
      marks: new Batcher<SlotWrite, void>((marks) => markSlotsFired(db, marks), {
        flush: 'end-of-turn',
        maxBatch: SLOTS_PER_STATEMENT,
        keyOf,
      }),
    };
    writersByDb.set(db, writers);
  }
  return writers;
}

/**
 * Claims many slots in one statement per staleness (all of a service's schedules share one). Rows go
 * in key order, so two replicas claiming overlapping sets lock them in the same order and cannot
 * deadlock. Per claim, in order: whether it won.
 */
async function claimSlots(db: Queryable, claims: readonly SlotClaim[]): Promise<boolean[]> {
  const won = new Set<string>();
  const byStaleness = new Map<number, SlotClaim[]>();
  for (const claim of claims) {
    const same = byStaleness.get(claim.staleAfterMs) ?? [];
    same.push(claim);
    byStaleness.set(claim.staleAfterMs, same);
  }
  await Promise.all(
    [...byStaleness].map(async ([staleAfterMs, same]) => {
      const rows = await db.query<{ source_id: string; slot_time: Date | string }>(
        `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status)
         SELECT source_id, slot_time, claimed_by, 'claimed'
           FROM unnest($1::text[], $2::timestamptz[], $3::text[])
             AS c(source_id, slot_time, claimed_by)
          ORDER BY source_id, slot_time
         ON CONFLICT (source_id, slot_time) DO UPDATE
           SET claimed_by = EXCLUDED.claimed_by, claimed_at = now()
           WHERE cron_slots.status = 'claimed' AND cron_slots.claimed_at < ${STALE}
         RETURNING source_id, slot_time`,
        [
          same.map((claim) => claim.sourceId),
          same.map((claim) => iso(claim.slot)),
          same.map((claim) => claim.replicaId),
          staleAfterMs,
        ],
      );
      for (const row of rows) won.add(slotKey(row.source_id, new Date(row.slot_time).getTime()));
    }),
  );
  return claims.map((claim) => won.has(slotKey(claim.sourceId, claim.slot)));
}

async function markSlotsFired(db: Queryable, marks: readonly SlotWrite[]): Promise<void[]> {
  await db.query(
    `UPDATE cron_slots SET status = 'fired', fired_at = now()
       FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS f(source_id, slot_time, claimed_by)
      WHERE cron_slots.source_id = f.source_id AND cron_slots.slot_time = f.slot_time
        AND cron_slots.claimed_by = f.claimed_by`,
    [
      marks.map((mark) => mark.sourceId),
      marks.map((mark) => iso(mark.slot)),
      marks.map((mark) => mark.replicaId),
    ],
  );
  return marks.map(() => undefined);
}

function slotKey(sourceId: string, slot: number): string {
  return `${sourceId}\u0000${slot}`;
}

/**
 * The ledger in the `cron_slots` table, the cron service's own; claim staleness is judged by database
 * time. The schedule record of each source is kept in `provider_state`. Claims and marks made in the
 * same turn by the ledgers of one database handle share a statement.
 */
export class SqlSlotLedger implements SlotLedger {
  private readonly state: ProviderStateRepository;
  private readonly writers: SlotWriters;

  constructor(private readonly db: Queryable) {
    this.state = new ProviderStateRepository(db, 'cron');
    this.writers = slotWriters(db);
  }

  async watermark(sourceId: string): Promise<number | undefined> {
    const [row] = await this.db.query<{ latest: Date | string | null }>(
      'SELECT max(slot_time) AS latest FROM cron_slots WHERE source_id = $1',
      [sourceId],
    );
    return row?.latest == null ? undefined : new Date(row.latest).getTime();
  }

  async claim(
    sourceId: string,
    slot: number,
    replicaId: string,
    staleAfterMs: number,
  ): Promise<boolean> {
    return this.writers.claims.call({ sourceId, slot, replicaId, staleAfterMs });
  }

  async markFired(sourceId: string, slot: number, replicaId: string): Promise<void> {
    await this.writers.marks.call({ sourceId, slot, replicaId });
  }

  async release(sourceId: string, slot: number, replicaId: string): Promise<void> {
    await this.db.query(
      `DELETE FROM cron_slots
       WHERE source_id = $1 AND slot_time = $2::timestamptz AND claimed_by = $3 AND status = 'claimed'`,
      [sourceId, iso(slot), replicaId],
    );
  }

  async markSkipped(
    sourceId: string,
    slots: readonly number[],
    replicaId: string,
    staleAfterMs: number,
  ): Promise<number[]> {
    if (slots.length === 0) return [];
    const rows = await this.db.query<{ slot_time: Date | string }>(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status)
       SELECT $1, slot, $3, 'skipped' FROM unnest($2::timestamptz[]) AS slot
       ON CONFLICT (source_id, slot_time) DO UPDATE
         SET status = 'skipped', claimed_by = EXCLUDED.claimed_by, claimed_at = now()
         WHERE cron_slots.status = 'claimed' AND cron_slots.claimed_at < ${STALE}
       RETURNING slot_time`,
      [sourceId, slots.map(iso), replicaId, staleAfterMs],
    );
    return rows.map((row) => new Date(row.slot_time).getTime());
  }

  async staleClaims(sourceId: string, staleAfterMs: number): Promise<number[]> {
    const rows = await this.db.query<{ slot_time: Date | string }>(
      `SELECT slot_time FROM cron_slots
       WHERE source_id = $1 AND status = 'claimed'
         AND claimed_at < now() - make_interval(secs => $2::double precision / 1000)
       ORDER BY slot_time`,
      [sourceId, staleAfterMs],
    );
    return rows.map((row) => new Date(row.slot_time).getTime());
  }

  async prune(sourceId: string, before: number): Promise<void> {
    await this.db.query(
      `DELETE FROM cron_slots WHERE source_id = $1 AND slot_time < $2::timestamptz AND status <> 'claimed'`,
      [sourceId, iso(before)],
    );
  }

  async schedule(sourceId: string): Promise<ScheduleRecord | undefined> {
    const value = await this.state.get<StoredScheduleRecord>(sourceId, SCHEDULE_KEY);
    if (!value) return undefined;
    return { ...value, since: Date.parse(value.since), definedAt: Date.parse(value.definedAt) };
  }

  async recordSchedule(sourceId: string, record: ScheduleRecord): Promise<void> {
    const value: StoredScheduleRecord = {
      ...record,
      since: iso(record.since),
      definedAt: iso(record.definedAt),
    };
    await this.state.put(sourceId, SCHEDULE_KEY, value);
  }

  async forgetSchedule(sourceId: string): Promise<void> {
    await this.state.delete(sourceId, [SCHEDULE_KEY]);
  }
}
