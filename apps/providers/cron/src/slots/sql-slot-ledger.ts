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

/**
 * The ledger in the `cron_slots` table, the cron service's own; claim staleness is judged by database
 * time. The schedule record of each source is kept in `provider_state`.
 */
export class SqlSlotLedger implements SlotLedger {
  private readonly state: ProviderStateRepository;

  constructor(private readonly db: Queryable) {
    this.state = new ProviderStateRepository(db, 'cron');
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
    const rows = await this.db.query(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status)
       VALUES ($1, $2::timestamptz, $3, 'claimed')
       ON CONFLICT (source_id, slot_time) DO UPDATE
         SET claimed_by = EXCLUDED.claimed_by, claimed_at = now()
         WHERE cron_slots.status = 'claimed' AND cron_slots.claimed_at < ${STALE}
       RETURNING slot_time`,
      [sourceId, iso(slot), replicaId, staleAfterMs],
    );
    return rows.length === 1;
  }

  async markFired(sourceId: string, slot: number, replicaId: string): Promise<void> {
    await this.db.query(
      `UPDATE cron_slots SET status = 'fired', fired_at = now()
       WHERE source_id = $1 AND slot_time = $2::timestamptz AND claimed_by = $3`,
      [sourceId, iso(slot), replicaId],
    );
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
