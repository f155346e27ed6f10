import { sharedCounter, sharedGauge } from '@flint/service-kit';
import type { Counter, Gauge, Registry } from 'prom-client';

export const EVENTS_RECEIVED_METRIC = 'triggers_events_received_total';
export const SOURCE_UP_METRIC = 'flint_source_up';
export const SOURCE_FAILURES_METRIC = 'flint_source_failures_total';

/** Events accepted from the outside world and acknowledged by Kafka, per provider. */
export function eventsReceivedCounter(registry: Registry): Counter<'provider'> {
  return sharedCounter(registry, {
    name: EVENTS_RECEIVED_METRIC,
    help: 'Events accepted by a provider and acknowledged by Kafka.',
    labelNames: ['provider'],
  });
}

type SourceLabel = 'source' | 'provider';

/**
 * Each source's health as series, for every kind alike: whether it runs here and its last attempt
 * succeeded, and its failed attempts.
 */
export class SourceMetrics {
  private readonly up: Gauge<SourceLabel>;
  private readonly failures: Counter<SourceLabel>;

  constructor(registry: Registry) {
    this.up = sharedGauge(registry, {
      name: SOURCE_UP_METRIC,
      help:
        'Whether the source runs on this replica and its last attempt (poll, fire, scan, call, ' +
        'connection) succeeded (1) or not (0).',
      labelNames: ['source', 'provider'],
    });
    this.failures = sharedCounter(registry, {
      name: SOURCE_FAILURES_METRIC,
      help:
        'Failed attempts of a source: polls, fires, scans, refused webhook calls, lost connections, ' +
        'failed runs.',
      labelNames: ['source', 'provider'],
    });
  }

  /** A source starts here: its series exist (down, no failures) before anything happens. */
  track(source: string, provider: string): void {
    this.up.set({ source, provider }, 0);
    this.failures.inc({ source, provider }, 0);
  }

  set(source: string, provider: string, isUp: boolean): void {
    this.up.set({ source, provider }, isUp ? 1 : 0);
  }

  failed(source: string, provider: string): void {
    this.failures.inc({ source, provider });
  }

  /** A source that stopped on this replica shows no series rather than a stale one. */
  forget(source: string, provider: string): void {
    this.up.remove({ source, provider });
    this.failures.remove({ source, provider });
  }
}
