/**
 * What the ledger remembers of a cron source's definition, so a restart caused by a change of its
 * definition carries on where the previous one stood instead of starting a new misfire window.
 */
export interface ScheduleRecord {
  /** Identifies the schedule: expression and time zone. */
  scheduleKey: string;
  /** Since when this schedule has been the source's; slots before were never its to fire. */
  since: number;
  /** The `updatedAt` of the definition recorded last. */
  definedAt: number;
  jitterMs: number;
  /** The jitter of the definition before it: slots due before the change keep that allowance. */
  previousJitterMs: number;
}

/** The definition a runner starts with. */
export interface CurrentDefinition {
  scheduleKey: string;
  definedAt: number;
  jitterMs: number;
}

/**
 * The record after a runner starts with `current`. Deterministic, so every replica starting the
 * same definition computes (and writes) the same record.
 */
export function nextScheduleRecord(
  stored: ScheduleRecord | undefined,
  current: CurrentDefinition,
): ScheduleRecord {
  const { scheduleKey, definedAt, jitterMs } = current;
  if (!stored || stored.scheduleKey !== scheduleKey) {
    return { scheduleKey, since: definedAt, definedAt, jitterMs, previousJitterMs: jitterMs };
  }
  // The same definition again (a restart), or an older one a lagging replica still sees.
  if (definedAt <= stored.definedAt) return stored;
  return {
    scheduleKey,
    since: stored.since,
    definedAt,
    jitterMs,
    previousJitterMs: stored.jitterMs,
  };
}
