import type { SourceHealth, StoredSource } from '@flint/contracts';
import { SOURCE_STATUS_STALE_MS, type SourceStatusRow } from '@flint/store';

/** Sources the evaluator matches by event type; no provider runs them. */
const PASSIVE_PROVIDERS: ReadonlySet<string> = new Set(['event', 'run-status']);

/** The service that runs each provider's sources, to say which one to look at when nobody does. */
const SERVICE_OF: Record<string, string> = { file: 'file-watcher' };

/**
 * How a source is doing, from its definition and the fresh reports of the replicas running it:
 * one replica running it is enough to be up (exclusive sources run on one replica while the others
 * wait for the lease); otherwise the worst thing a replica reports, with its reason.
 */
export function sourceHealth(
  source: Pick<StoredSource, 'provider' | 'enabled'>,
  reports: readonly SourceStatusRow[],
): SourceHealth {
  if (!source.enabled) return { state: 'disabled', replicas: 0 };
  if (PASSIVE_PROVIDERS.has(source.provider)) return { state: 'passive', replicas: 0 };
  if (reports.length === 0) {
    const service = SERVICE_OF[source.provider] ?? source.provider;
    return {
      state: 'down',
      message: `no ${service} service reported this source in the last ${SOURCE_STATUS_STALE_MS / 1000} seconds; is the ${service} service running?`,
      replicas: 0,
    };
  }
  const newest = reports.reduce((a, b) => (a.reportedAt >= b.reportedAt ? a : b));
  const common = { replicas: reports.length, reportedAt: newest.reportedAt.toISOString() };
  if (reports.some((r) => r.state === 'running')) return { state: 'up', ...common };
  for (const state of ['failed', 'invalid'] as const) {
    const report = reports.find((r) => r.state === state);
    if (report) {
      return { state, ...common, ...(report.error === undefined ? {} : { message: report.error }) };
    }
  }
  return { state: 'starting', ...common };
}

/** Reports by source id. */
export function reportsBySource(
  reports: readonly SourceStatusRow[],
): Map<string, SourceStatusRow[]> {
  const bySource = new Map<string, SourceStatusRow[]>();
  for (const report of reports) {
    const list = bySource.get(report.sourceId);
    if (list) list.push(report);
    else bySource.set(report.sourceId, [report]);
  }
  return bySource;
}
