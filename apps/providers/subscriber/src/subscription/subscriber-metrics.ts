import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BadMessage } from './message-translator';

/**
 * The subscriber's own series, next to the SDK's `triggers_events_received_total` and `flint_source_up`
 * (which shows whether each source is connected): how far behind each source is, how long a message waits from receipt to its acknowledgement
 * upstream, and the bad messages it dead-lettered by reason.
 */
export class SubscriberMetrics {
  private readonly lag: Gauge<'source' | 'provider'>;
  private readonly badMessages: Counter<'provider' | 'reason'>;
  private readonly ackLatency: Histogram<'provider'>;

  constructor(registry: Registry) {
    this.lag = new Gauge({
      name: 'flint_source_lag',
      help: 'Messages the source is behind its upstream, where the protocol tells.',
      labelNames: ['source', 'provider'],
      registers: [registry],
    });
    this.badMessages = new Counter({
      name: 'flint_source_bad_messages_total',
      help: 'Messages a source sent to flint.dlq instead of publishing them, by reason.',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    });
    this.ackLatency = new Histogram({
      name: 'flint_source_ack_latency_seconds',
      help: 'From taking a batch of messages upstream to acknowledging it there (after Kafka acked).',
      labelNames: ['provider'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
  }

  behind(source: string, provider: string, messages: number): void {
    this.lag.set({ source, provider }, messages);
  }

  deadLettered(provider: string, bad: BadMessage): void {
    this.badMessages.inc({ provider, reason: bad.reason });
  }

  acknowledged(provider: string, seconds: number): void {
    this.ackLatency.observe({ provider }, seconds);
  }

  /** A source that stopped on this replica shows no series rather than a stale one. */
  forget(source: string, provider: string): void {
    this.lag.remove({ source, provider });
  }
}
