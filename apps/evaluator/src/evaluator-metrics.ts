import { Counter, Gauge, type Registry } from 'prom-client';

/** What one trigger made of one event. */
/**
 * What one trigger decided about one event. `rate_limited`: over its rate limit and dropped;
 * `delayed`: over its rate limit, its run waits for the next free slot; `cancelling`: a `cancelOn`
 * event asked to cancel the trigger's runs.
 */
export type TriggerResult =
  'matched' | 'dropped' | 'duplicate' | 'error' | 'rate_limited' | 'delayed' | 'cancelling';

/** `refused`: a `flint.` type from a producer that is not Flint, which no trigger may see. */
export type FilterResult = TriggerResult | 'refused';

/**
 * Counts gathered while a batch of events is processed and applied only once its output is in Kafka,
 * so a batch that is retried is not counted twice.
 */
export class MetricsTally {
  readonly received = new Map<string, number>();
  readonly filtered = new Map<string, number>();
  readonly runRequests = new Map<string, number>();
  compoundExpired = 0;

  receive(provider: string): void {
    this.received.set(provider, (this.received.get(provider) ?? 0) + 1);
  }

  filter(provider: string, result: FilterResult): void {
    const key = `${provider}\u0000${result}`;
    this.filtered.set(key, (this.filtered.get(key) ?? 0) + 1);
  }

  runRequest(provider: string): void {
    this.runRequests.set(provider, (this.runRequests.get(provider) ?? 0) + 1);
  }

  count(result: FilterResult): number {
    let total = 0;
    for (const [key, value] of this.filtered) if (key.endsWith(`\u0000${result}`)) total += value;
    return total;
  }
}

/** Values the gauges read when Prometheus scrapes. */
export interface EvaluatorObservations {
  triggers(): { active: number; broken: number };
  openBatches(): number;
}

/** The evaluator's Prometheus metrics, on the service's own registry. */
export class EvaluatorMetrics {
  private readonly received: Counter<'provider'>;
  private readonly filtered: Counter<'provider' | 'result'>;
  private readonly runRequests: Counter<'provider'>;
  private readonly compoundExpired: Counter;
  constructor(registry: Registry, observe: EvaluatorObservations) {
    const registers = [registry];
    this.received = new Counter({
      name: 'triggers_events_received_total',
      help: 'Events the evaluator consumed, by the provider that published them.',
      labelNames: ['provider'],
      registers,
    });
    this.filtered = new Counter({
      name: 'triggers_events_filtered_total',
      help:
        'Evaluations of an event against a trigger it reached (an event reaching none counts once as ' +
        'dropped): matched, dropped (match or condition false), duplicate (dedupe), error (an ' +
        'expression failed on the event).',
      labelNames: ['provider', 'result'],
      registers,
    });
    this.runRequests = new Counter({
      name: 'flint_evaluator_run_requests_total',
      help: 'Run requests the evaluator produced to the runs topic, by the provider of the first cause.',
      labelNames: ['provider'],
      registers,
    });
    this.compoundExpired = new Counter({
      name: 'flint_evaluator_compound_expired_total',
      help: 'Partial compound matches dropped because their window passed before they completed.',
      registers,
    });
    new Gauge({
      name: 'flint_evaluator_triggers',
      help: 'Enabled triggers in memory: active, or broken (expressions that do not compile).',
      labelNames: ['state'],
      registers,
      collect() {
        const { active, broken } = observe.triggers();
        this.set({ state: 'active' }, active);
        this.set({ state: 'broken' }, broken);
      },
    });
    new Gauge({
      name: 'flint_evaluator_open_batches',
      help: 'Batches this evaluator holds that are collecting events or waiting to be emitted.',
      registers,
      collect() {
        this.set(observe.openBatches());
      },
    });
  }

  apply(tally: MetricsTally): void {
    for (const [provider, count] of tally.received) this.received.inc({ provider }, count);
    for (const [key, count] of tally.filtered) {
      const [provider, result] = key.split('\u0000') as [string, string];
      this.filtered.inc({ provider, result }, count);
    }
    for (const [provider, count] of tally.runRequests) this.runRequests.inc({ provider }, count);
    if (tally.compoundExpired > 0) this.compoundExpired.inc(tally.compoundExpired);
  }

  expiredMatches(count: number): void {
    if (count > 0) this.compoundExpired.inc(count);
  }
}
