/**
 * PostgreSQL advisory lock keys, in the two-key form (namespace, lock) so Flint's locks cannot collide
 * with another application's on a shared database. The namespace is "flnt" in ASCII.
 */
export const ADVISORY_LOCK_NAMESPACE = 0x666c6e74;

export const AdvisoryLock = {
  /** Held while migrating, so replicas starting together apply each migration once. */
  migrations: 1,
  /** Held while relaying the outbox, so one replica at a time publishes and per-key order holds. */
  outboxRelay: 2,
} as const;
