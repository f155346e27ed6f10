import type { Queryable } from '../store';

export interface LeaseOptions {
  /** How long a holder keeps the lease without renewing; a dead replica's lease is taken over after. */
  ttlMs?: number;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;

/**
 * A named lease in the `leases` table: at most one holder at a time, by database time so replicas'
 * clocks need not agree. Expired leases are taken over by the next `tryAcquire`.
 */
export class Lease {
  readonly ttlMs: number;

  constructor(
    private readonly db: Queryable,
    readonly name: string,
    readonly holder: string,
    options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  /** Takes the lease when free, expired or already ours; true when we hold it afterwards. */
  async tryAcquire(): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO leases (name, holder, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
       RETURNING holder`,
      [this.name, this.holder, this.ttlMs],
    );
    return rows.length === 1;
  }

  /** Extends our lease; false when it is no longer ours (expired and taken over, or released). */
  async renew(): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE leases SET expires_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE name = $1 AND holder = $2 AND expires_at >= now()
       RETURNING holder`,
      [this.name, this.holder, this.ttlMs],
    );
    return rows.length === 1;
  }

  /** Gives the lease up so another replica can take it at once. */
  async release(): Promise<void> {
    await this.db.query(`DELETE FROM leases WHERE name = $1 AND holder = $2`, [
      this.name,
      this.holder,
    ]);
  }
}
