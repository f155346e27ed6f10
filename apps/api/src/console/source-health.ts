import {
  isSourceKind,
  SERVICES,
  SOURCE_KINDS,
  type SourceHealth,
  type StoredSource,
} from '@flint/contracts';
import { SOURCE_STATUS_STALE_MS, type SourceStatusRow } from '@flint/store';

/** Sources the evaluator matches by event type (run by no provider service), per the registry. */
function isPassive(provider: string): boolean {
  return isSourceKind(provider) && SERVICES[SOURCE_KINDS[provider].service].role !== 'provider';
}

/** The service that runs a provider's sources, to say which one to look at when nobody does. */
function serviceOf(provider: string): string {
  return isSourceKind(provider) ? SOURCE_KINDS[provider].service : provider;
}

/**
 * How a source is doing, from its definition and the fresh reports of the replicas running it:
 * one replica running it is enough to be up (exclusive sources run on one replica while the others
 * wait for the lease), unless a running replica's last attempts failed; otherwise the worst thing a
 * replica reports, with its reason.
 */
export function sourceHealth(
  source: Pick<StoredSource, 'provider' | 'enabled'>,
  reports: readonly SourceStatusRow[],
): SourceHealth {
  if (!source.enabled) return { state: 'disabled', replicas: 0 };
  if (isPassive(source.provider)) return { state: 'passive', replicas: 0 };
  if (reports.length === 0) {
    const service = serviceOf(source.provider);
    return {
      state: 'down',
      message: `no ${service} service reported this source in the last ${SOURCE_STATUS_STALE_MS / 1000} seconds; is the ${service} service running?`,
      replicas: 0,
    };
  }
  const newest = reports.reduce((a, b) => (a.reportedAt >= b.reportedAt ? a : b));
  const common = { replicas: reports.length, reportedAt: newest.reportedAt.toISOString() };
  const running = reports.filter((r) => r.state === 'running');
  if (running.length > 0) {
    const worst = running.reduce((a, b) => (failuresOf(b) > failuresOf(a) ? b : a));
    return { ...runningHealth(worst), ...attemptsOf(worst), ...common };
  }
  for (const state of ['failed', 'invalid'] as const) {
    const report = reports.find((r) => r.state === state);
    if (report) {
      return {
        state,
        ...attemptsOf(report),
        ...common,
        ...(report.error === undefined ? {} : { message: report.error }),
      };
    }
  }
  return { state: 'starting', ...attemptsOf(newest), ...common };
}

function failuresOf(report: SourceStatusRow): number {
  return report.consecutiveFailures ?? 0;
}

/**
 * A running source is up unless its last attempts failed (`failing`) or its connection upstream
 * failed for good (`failed`); a connection-based source also tells its connection state, last event
 * and lag.
 */
function runningHealth(report: SourceStatusRow): Omit<SourceHealth, 'replicas' | 'reportedAt'> {
  const connection = report.connection as SourceHealth['connection'];
  const failing = failuresOf(report) > 0;
  const health: Omit<SourceHealth, 'replicas' | 'reportedAt'> = {
    state: connection === 'failed' ? 'failed' : failing ? 'failing' : 'up',
  };
  if (connection !== undefined) health.connection = connection;
  const message = report.error ?? (failing ? report.lastError : undefined);
  if (message !== undefined) health.message = message;
  if (report.lastEventAt !== undefined) health.lastEventAt = report.lastEventAt.toISOString();
  if (report.lag !== undefined) health.lag = report.lag;
  return health;
}

/** What every running kind tells of its attempts: last success, last error, failures in a row. */
function attemptsOf(
  report: SourceStatusRow,
): Pick<SourceHealth, 'lastSuccessAt' | 'lastError' | 'lastErrorAt' | 'consecutiveFailures'> {
  return {
    ...(report.lastSuccessAt === undefined
      ? {}
      : { lastSuccessAt: report.lastSuccessAt.toISOString() }),
    ...(report.lastError === undefined ? {} : { lastError: report.lastError }),
    ...(report.lastErrorAt === undefined ? {} : { lastErrorAt: report.lastErrorAt.toISOString() }),
    ...(report.consecutiveFailures === undefined
      ? {}
      : { consecutiveFailures: report.consecutiveFailures }),
  };
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
