import type { ReportedSource } from '@flint/store';
import type { SourceStatus } from './source-loop';
import { SourceStatusReporter } from './status-reporter';

describe('SourceStatusReporter', () => {
  let reports: Array<{ replica: string; provider: string; sources: readonly ReportedSource[] }>;
  let failing: boolean;
  let statuses: SourceStatus[];
  let logged: string[];
  let reporter: SourceStatusReporter;

  beforeEach(() => {
    reports = [];
    failing = false;
    logged = [];
    statuses = [{ id: 'github', version: 3, state: 'running', consecutiveFailures: 0 }];
    reporter = new SourceStatusReporter({
      sink: {
        report: async (replica, provider, sources) => {
          if (failing) throw new Error('database down');
          reports.push({ replica, provider, sources });
        },
      },
      replicaId: 'replica-1',
      provider: 'webhook',
      statuses: () => statuses,
      log: (level, message) => logged.push(`${level}: ${message}`),
      intervalMs: 60_000,
    });
  });

  afterEach(() => reporter.stop());

  it('reports what the loops do now, with the reason of a failure', async () => {
    await reporter.report();
    const failedAt = new Date('2026-12-06T13:00:00Z');
    statuses = [
      {
        id: 'github',
        version: 4,
        state: 'failed',
        error: 'the port is taken',
        lastError: 'the port is taken',
        lastErrorAt: failedAt,
        consecutiveFailures: 2,
      },
    ];
    await reporter.report();
    expect(reports).toEqual([
      {
        replica: 'replica-1',
        provider: 'webhook',
        sources: [{ sourceId: 'github', version: 3, state: 'running', consecutiveFailures: 0 }],
      },
      {
        replica: 'replica-1',
        provider: 'webhook',
        sources: [
          {
            sourceId: 'github',
            version: 4,
            state: 'failed',
            error: 'the port is taken',
            lastError: 'the port is taken',
            lastErrorAt: failedAt,
            consecutiveFailures: 2,
          },
        ],
      },
    ]);
  });

  it('sends one report for the changes made while another is in flight', async () => {
    let finish!: () => void;
    const inFlight = new Promise<void>((resolve) => (finish = resolve));
    const sent: string[] = [];
    const held = new SourceStatusReporter({
      sink: {
        report: async (_replica, _provider, sources) => {
          sent.push(sources.map((s) => `${s.sourceId}@${s.version}`).join(','));
          if (sent.length === 1) await inFlight;
        },
      },
      replicaId: 'replica-1',
      provider: 'webhook',
      statuses: () => statuses,
      log: () => undefined,
      intervalMs: 60_000,
    });
    const first = held.report();
    await new Promise(setImmediate);
    expect(sent).toEqual(['github@3']);
    const changes = [4, 5, 6].map((version) => {
      statuses = [{ id: 'github', version, state: 'running', consecutiveFailures: 0 }];
      return held.report();
    });
    finish();
    await Promise.all([first, ...changes]);
    // The waiting report read the statuses when it started: the last change's.
    expect(sent).toEqual(['github@3', 'github@6']);
    statuses = [{ id: 'github', version: 7, state: 'running', consecutiveFailures: 0 }];
    await held.report();
    expect(sent).toEqual(['github@3', 'github@6', 'github@7']);
    await held.stop();
  });

  it('withdraws its reports when it stops: a stopped replica runs nothing', async () => {
    reporter.start();
    await reporter.stop();
    expect(reports[reports.length - 1]?.sources).toEqual([]);
  });

  it('logs a failed report once per outage and goes on', async () => {
    failing = true;
    await reporter.report();
    await reporter.report();
    failing = false;
    await reporter.report();
    expect(logged).toEqual([
      'warn: could not report source statuses: Error: database down',
      'info: reporting source statuses again',
    ]);
    expect(reports).toHaveLength(1);
  });
});
