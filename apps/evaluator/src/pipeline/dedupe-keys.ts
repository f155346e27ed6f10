import { createHash } from 'node:crypto';
import type { Store } from '@flint/store';

/** A trigger's dedupe key as one event presents it. */
export interface SeenKey {
  triggerId: string;
  key: string;
  /** When the event was accepted (ms since the epoch): the moment the key was seen. */
  at: number;
  windowMs: number;
}

/**
 * Where the evaluator keeps when each dedupe key opened its window, so "a duplicate" means "within
 * the window of the first time this key was seen", across restarts and replicas.
 */
export interface DedupeKeyStore {
  /**
   * For each key, in order: when its window opened. That is the moment of an earlier sighting whose
   * window still covers this one, or else this sighting's own moment (a new window, persisted).
   * Asking again for the same sighting gives the same answer, so a replayed event gets its run id back.
   */
  open(keys: readonly SeenKey[]): Promise<number[]>;
  /** Forgets windows that ended before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
}

/** `DedupeKeyStore` on the `evaluator_dedupe_keys` table: one statement per pass, any replica. */
export class DedupeKeyRepository implements DedupeKeyStore {
  constructor(private readonly store: Store) {}

  async open(keys: readonly SeenKey[]): Promise<number[]> {
    if (keys.length === 0) return [];
    // One row per trigger and key: ON CONFLICT may touch a row once per statement. The earliest
    // sighting of a key in the batch speaks for it.
    const unique = new Map<string, SeenKey & { hash: string }>();
    for (const seen of keys) {
      const hash = keyHash(seen.key);
      const id = `${seen.triggerId}\u0000${hash}`;
      const known = unique.get(id);
      if (known === undefined || seen.at < known.at) unique.set(id, { ...seen, hash });
    }
    const byId = new Map<string, number>();
    let pending = [...unique.entries()];
    // A key another replica (or a concurrent pass) opened after this statement's snapshot was taken
    // conflicts in the insert but is invisible to the statement's read of the table, so it comes
    // back without a moment; a new statement, with a new snapshot, sees it.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 3) throw new Error('a dedupe window stayed invisible after three reads');
      const opened = await this.openOnce(pending.map(([, row]) => row));
      for (const row of opened) {
        if (row.opened !== null) {
          byId.set(`${row.trigger_id}\u0000${row.key_hash}`, Number(row.opened));
        }
      }
      pending = pending.filter(([id]) => !byId.has(id));
    }
    return keys.map((seen) => {
      const opened = byId.get(`${seen.triggerId}\u0000${keyHash(seen.key)}`);
      if (opened === undefined) throw new Error(`no dedupe window for trigger ${seen.triggerId}`);
      return opened;
    });
  }

  private openOnce(
    rows: readonly (SeenKey & { hash: string })[],
  ): Promise<{ trigger_id: string; key_hash: string; opened: string | null }[]> {
    // A window that has passed is replaced by one opened now; a live one is kept. The outer SELECT
    // sees the table as it was before the statement, so it reads the kept rows there.
    return this.store.query<{ trigger_id: string; key_hash: string; opened: string | null }>(
      `WITH seen AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
           AS s(trigger_id, key_hash, at_ms, window_ms)),
       written AS (
         INSERT INTO evaluator_dedupe_keys AS k (trigger_id, key_hash, first_seen_at, expires_at)
         SELECT trigger_id, key_hash, to_timestamp(at_ms / 1000.0),
                to_timestamp((at_ms + window_ms) / 1000.0)
           FROM seen
         ON CONFLICT (trigger_id, key_hash) DO UPDATE
           SET first_seen_at = EXCLUDED.first_seen_at, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= EXCLUDED.first_seen_at
         RETURNING k.trigger_id, k.key_hash, k.first_seen_at)
       SELECT s.trigger_id, s.key_hash,
              round(extract(epoch FROM coalesce(w.first_seen_at, k.first_seen_at)) * 1000)::text
                AS opened
         FROM seen s
         LEFT JOIN written w USING (trigger_id, key_hash)
         LEFT JOIN evaluator_dedupe_keys k USING (trigger_id, key_hash)`,
      [
        rows.map((row) => row.triggerId),
        rows.map((row) => row.hash),
        rows.map((row) => String(row.at)),
        rows.map((row) => String(row.windowMs)),
      ],
    );
  }

  async deleteExpired(before: Date): Promise<number> {
    const rows = await this.store.query(
      'DELETE FROM evaluator_dedupe_keys WHERE expires_at < $1::timestamptz RETURNING trigger_id',
      [before.toISOString()],
    );
    return rows.length;
  }
}

function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
