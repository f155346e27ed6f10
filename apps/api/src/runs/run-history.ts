import type { RunDetail, RunListQuery, RunPage } from '@flint/contracts';
import type { RunHistoryRepository } from '@flint/store';
import { assertCanSee, ownerScope, type Principal } from '../auth/principal';
import { decodeRunCursor, encodeRunCursor } from './run-cursor';
import { runNotFound } from './run-control';
import { runDetail, runSummary } from './run-views';

/**
 * Run history as a principal may see it: an editor or viewer only its owner's runs (another
 * owner's run is reported missing), an admin everyone's, optionally narrowed by `owner`.
 */
export class RunHistory {
  constructor(private readonly runs: RunHistoryRepository) {}

  async list(principal: Principal, query: RunListQuery): Promise<RunPage> {
    const scope = ownerScope(principal);
    if (scope !== undefined && query.owner !== undefined && query.owner !== scope) {
      return { items: [] };
    }
    const owner = scope ?? query.owner;
    const page = await this.runs.history({
      ...(query.trigger === undefined ? {} : { triggerId: query.trigger }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(owner === undefined ? {} : { owner }),
      ...(query.since === undefined ? {} : { since: new Date(query.since) }),
      ...(query.until === undefined ? {} : { until: new Date(query.until) }),
      ...(query.cursor === undefined ? {} : { after: decodeRunCursor(query.cursor) }),
      limit: query.limit,
    });
    return {
      items: page.runs.map(runSummary),
      ...(page.next ? { nextCursor: encodeRunCursor(page.next) } : {}),
    };
  }

  async get(principal: Principal, runId: string): Promise<RunDetail> {
    const run = await this.runs.get(runId);
    if (!run) throw runNotFound(runId);
    assertCanSee(principal, run.owner, `run ${runId}`);
    const [attempts, reruns, cancellation] = await Promise.all([
      this.runs.attempts(runId),
      this.runs.reruns(runId),
      this.runs.cancellation(runId),
    ]);
    return runDetail(run, attempts, reruns, cancellation);
  }
}
