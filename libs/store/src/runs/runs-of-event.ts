import type { RunStatus } from '@flint/contracts';
import type { Queryable } from '../store';

/**
 * The runs one event caused, as a source that must not fire again while they are going sees them
 * (a poll function with `allowConcurrent: false`). Runs are claimed after the event was emitted, so
 * `since` bounds the scan to the runs created from then on (`runs_created_idx`).
 */
export class RunsOfEventRepository {
  constructor(private readonly db: Queryable) {}

  async statuses(eventId: string, since: Date): Promise<RunStatus[]> {
    const rows = await this.db.query<{ status: RunStatus }>(
      'SELECT status FROM runs WHERE created_at >= $2 AND $1 = ANY(event_ids)',
      [eventId, since],
    );
    return rows.map((row) => row.status);
  }
}
