import type { Store } from '../store';

/**
 * The cron slot ledger (`cron_slots`, the cron service's) as a backfill sees it: which slots of a
 * source were fired (or are being fired) already, and recording the ones a backfill fired, so a
 * second backfill of the same range fires none of them again. A slot the misfire policy skipped is
 * no slot fired: a backfill fires it.
 */
export class CronSlotRepository {
  constructor(private readonly store: Store) {}

  /** Of `slots` (epoch ms), those fired, or claimed by a replica firing them. */
  async taken(sourceId: string, slots: readonly number[]): Promise<Set<number>> {
    if (slots.length === 0) return new Set();
    const rows = await this.store.query<{ slot_time: Date | string }>(
      `SELECT slot_time FROM cron_slots
        WHERE source_id = $1 AND slot_time = ANY($2::timestamptz[])
          AND status IN ('fired', 'claimed')`,
      [sourceId, slots.map((slot) => new Date(slot).toISOString())],
    );
    return new Set(rows.map((row) => new Date(row.slot_time).getTime()));
  }

  /** Records slots whose events Kafka acknowledged, as fired by `holder`. */
  async recordFired(sourceId: string, slots: readonly number[], holder: string): Promise<void> {
    if (slots.length === 0) return;
    await this.store.query(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status, fired_at)
       SELECT $1, slot, $3, 'fired', now() FROM unnest($2::timestamptz[]) AS slot
       ON CONFLICT (source_id, slot_time) DO UPDATE
         SET status = 'fired', fired_at = now(), claimed_by = EXCLUDED.claimed_by
         WHERE cron_slots.status = 'skipped'`,
      [sourceId, slots.map((slot) => new Date(slot).toISOString()), holder],
    );
  }
}
