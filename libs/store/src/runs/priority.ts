/**
 * The priority rule. Under a backlog, runs are started in order of their start rank: the time a run
 * became due, moved earlier by `PRIORITY_AGING_SECONDS` per priority level. A run of priority p starts
 * as if it had been due p minutes earlier, so higher priorities go first, and a lower one is passed
 * by a higher one only while it has waited less than the difference in levels, in minutes: once it
 * has waited longer than (p_high − p_low) minutes it goes first, so no run starves.
 */
export const PRIORITY_AGING_SECONDS = 60;

/** When the run counts as due for ordering; the earlier the rank, the sooner it starts. */
export function startRank(dueAt: Date, priority: number): Date {
  return new Date(dueAt.getTime() - priority * PRIORITY_AGING_SECONDS * 1000);
}

/**
 * `startRank` in SQL, over the `next_attempt_at` and `priority` columns of `runs`: how due runs are
 * ordered (queued runs are ordered by `queue_rank`, which `startRank` computed at their claim).
 */
export const DUE_START_RANK_SQL = `(next_attempt_at - make_interval(secs => priority * ${PRIORITY_AGING_SECONDS}))`;
