import { SOURCE_STATUS_REPORT_INTERVAL_MS, type ReportedSource } from '@flint/store';
import type { Log } from '@flint/common';
import type { SourceStatus } from './source-loop';

/** Where reports go: the store's `SourceStatusRepository`. */
export interface SourceStatusSink {
  report(replica: string, provider: string, sources: readonly ReportedSource[]): Promise<void>;
}

export interface SourceStatusReporterOptions {
  sink: SourceStatusSink;
  replicaId: string;
  provider: string;
  statuses: () => SourceStatus[];
  log: Log;
  intervalMs?: number;
}

/**
 * Writes what this replica's source loops are doing to the database every few seconds and whenever
 * the set of sources changes, so the API (another process, another pod) can tell which sources are
 * up, failing or run by nobody. Reports never overlap, and at most one waits behind the one in
 * flight; a failed one is logged and the next one tries again. Stopping reports an empty list: a
 * stopped replica runs nothing.
 */
export class SourceStatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private reporting: Promise<void> = Promise.resolve();
  /** The report waiting for the one in flight; it reads the statuses only when it starts. */
  private waiting: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: SourceStatusReporterOptions) {}

  start(): void {
    this.timer ??= setInterval(
      () => void this.report(),
      this.options.intervalMs ?? SOURCE_STATUS_REPORT_INTERVAL_MS,
    );
    this.timer.unref();
    void this.report();
  }

  /**
   * Reports the current statuses after any report in flight. A report already waiting carries this
   * call's news too, so a burst of changes (every definition of an apply reconciles the sources)
   * costs one report, not one each.
   */
  report(): Promise<void> {
    if (this.waiting === undefined) {
      this.waiting = this.reporting.then(() => {
        this.waiting = undefined;
        return this.send(this.options.statuses());
      });
      this.reporting = this.waiting;
    }
    return this.waiting;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.reporting = this.reporting.then(() => this.send([]));
    await this.reporting;
  }

  private async send(statuses: readonly SourceStatus[]): Promise<void> {
    const { sink, replicaId, provider, log } = this.options;
    try {
      await sink.report(
        replicaId,
        provider,
        statuses.map((status) => ({
          sourceId: status.id,
          version: status.version,
          state: status.state,
          consecutiveFailures: status.consecutiveFailures,
          ...(status.error === undefined ? {} : { error: status.error }),
          ...(status.lastSuccessAt === undefined ? {} : { lastSuccessAt: status.lastSuccessAt }),
          ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
          ...(status.lastErrorAt === undefined ? {} : { lastErrorAt: status.lastErrorAt }),
          ...(status.connection === undefined ? {} : { connection: status.connection }),
          ...(status.lastEventAt === undefined ? {} : { lastEventAt: status.lastEventAt }),
          ...(status.lag === undefined ? {} : { lag: status.lag }),
        })),
      );
      if (this.failing) log('info', 'reporting source statuses again', { provider });
      this.failing = false;
    } catch (err) {
      // Once per outage: the sources keep running, only the console's view of them goes stale.
      if (!this.failing) {
        log('warn', `could not report source statuses: ${String(err)}`, { provider });
      }
      this.failing = true;
    }
  }
}
