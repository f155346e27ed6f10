import type { Store } from '../store';

/** How often each runner replica announces its local workflows again. */
export const RUNNER_WORKFLOWS_ANNOUNCE_INTERVAL_MS = 60_000;

/** An announcement older than this is a replica that stopped without withdrawing (it crashed). */
const STALE_MS = 3 * RUNNER_WORKFLOWS_ANNOUNCE_INTERVAL_MS;

/** Announcements of replicas gone this long are deleted by the next announcement of any replica. */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

/**
 * The `runner_workflows` table (migration 0014): which local workflows the runner replicas can
 * start. Each replica keeps its own row, so replicas come and go without coordinating.
 */
export class RunnerWorkflowsRepository {
  constructor(private readonly store: Store) {}

  /** Records that `replica` can start `workflows` now; forgets replicas silent for a week. */
  async announce(replica: string, workflows: readonly string[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM runner_workflows
          WHERE announced_at < now() - make_interval(secs => $1::double precision / 1000)`,
        [FORGET_AFTER_MS],
      );
      await tx.query(
        `INSERT INTO runner_workflows (replica, workflows, announced_at) VALUES ($1, $2, now())
         ON CONFLICT (replica) DO UPDATE
           SET workflows = EXCLUDED.workflows, announced_at = EXCLUDED.announced_at`,
        [replica, [...workflows]],
      );
    });
  }

  /** A replica that stops withdraws its announcement. */
  async withdraw(replica: string): Promise<void> {
    await this.store.query(`DELETE FROM runner_workflows WHERE replica = $1`, [replica]);
  }

  /**
   * The workflows some runner can start, sorted: those of the replicas that announced lately, or,
   * when none did (every runner is down right now), of the last ones known. Undefined when no runner
   * ever announced, so nobody can tell.
   */
  async known(): Promise<string[] | undefined> {
    const rows = await this.store.query<{ workflows: string[]; fresh: boolean }>(
      `SELECT workflows,
              announced_at >= now() - make_interval(secs => $1::double precision / 1000) AS fresh
         FROM runner_workflows`,
      [STALE_MS],
    );
    if (rows.length === 0) return undefined;
    const fresh = rows.filter((row) => row.fresh);
    return [...new Set((fresh.length > 0 ? fresh : rows).flatMap((row) => row.workflows))].sort();
  }
}
