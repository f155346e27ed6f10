import type { TargetType } from '@flint/contracts';
import type { CancellationTryOutcome, RunAttemptOutcome } from '@flint/store';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** From 1 ms to a minute: a local start takes milliseconds, a retried HTTP start can take many seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export type FinalStatus = 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED';

/** The runner's metrics; every label takes values from a fixed set. */
export class RunnerMetrics {
  private readonly runsStarted: Counter<'provider'>;
  private readonly latency: Histogram<'provider'>;
  private readonly attempts: Counter<'provider' | 'target' | 'outcome'>;
  private readonly finished: Counter<'provider' | 'status'>;
  private readonly duplicates: Counter<'provider'>;
  private readonly inFlight: Gauge;
  private readonly cancellations: Counter<'target' | 'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runsStarted = new Counter({
      name: 'triggers_runs_started_total',
      help: 'Runs whose workflow was started.',
      labelNames: ['provider'],
      registers,
    });
    this.latency = new Histogram({
      name: 'triggers_latency_seconds',
      help: 'From the moment Flint accepted the causing event to the run being STARTED.',
      labelNames: ['provider'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.attempts = new Counter({
      name: 'triggers_run_attempts_total',
      help: 'Attempts to start a workflow, by how they ended (succeeded, retry, failed, lost, cancelled).',
      labelNames: ['provider', 'target', 'outcome'],
      registers,
    });
    this.finished = new Counter({
      name: 'triggers_runs_finished_total',
      help: 'Runs that reached a final status; status="failed" counts the failures.',
      labelNames: ['provider', 'status'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'triggers_run_requests_duplicate_total',
      help: 'Run requests whose run id was already claimed: acknowledged, never started again.',
      labelNames: ['provider'],
      registers,
    });
    this.cancellations = new Counter({
      name: 'triggers_run_cancellation_requests_total',
      help: 'Tries to ask a remote workflow to stop its cancelled run, by outcome (sent, retry, failed).',
      labelNames: ['target', 'outcome'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'flint_runner_attempts_in_flight',
      help: 'Attempts this runner is making right now.',
      registers,
    });
  }

  started(provider: string, acceptedAt: Date, startedAt: Date): void {
    this.runsStarted.inc({ provider });
    const seconds = Math.max(0, startedAt.getTime() - acceptedAt.getTime()) / 1000;
    this.latency.observe({ provider }, seconds);
  }

  attempt(provider: string, target: TargetType, outcome: RunAttemptOutcome): void {
    this.attempts.inc({ provider, target, outcome });
  }

  finishedRun(provider: string, status: FinalStatus): void {
    this.finished.inc({ provider, status: status.toLowerCase() });
  }

  duplicate(provider: string): void {
    this.duplicates.inc({ provider });
  }

  cancellationRequest(target: TargetType, outcome: CancellationTryOutcome['outcome']): void {
    this.cancellations.inc({ target, outcome });
  }

  setInFlight(count: number): void {
    this.inFlight.set(count);
  }
}
