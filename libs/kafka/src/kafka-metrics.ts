import { DLQ_HEADERS, DLQ_REASONS, type DlqReason } from '@flint/contracts';
import type { IHeaders, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutgoingRecord } from './messages';

/** From a few milliseconds (a local broker) to the 30 s kafkajs waits before it gives up on a request. */
const PRODUCE_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const byClient = new WeakMap<Kafka, KafkaMetrics>();

/**
 * The Kafka metrics of one service: dead letters, produce latency and consumer lag. They hang off the
 * Kafka client rather than being passed to every producer and consumer, so any `EventProducer` or
 * `BatchConsumer` built on an attached client reports them; one built on a client without metrics
 * (a test, a CLI tool) simply reports nothing. Labels are topic names and partitions, which are
 * configuration, never message content.
 */
export class KafkaMetrics {
  private readonly deadLetters: Counter<'topic' | 'reason'>;
  private readonly produceDuration: Histogram<'topic'>;
  private readonly consumerLag: Gauge<'topic' | 'partition'>;

  private constructor(registry: Registry) {
    this.deadLetters =
      existing(registry, 'flint_dlq_messages_total', Counter) ??
      new Counter({
        name: 'flint_dlq_messages_total',
        help: 'Messages written to a dead-letter topic, by that topic and the reason (flint_dlq_reason).',
        labelNames: ['topic', 'reason'],
        registers: [registry],
      });
    this.produceDuration =
      existing(registry, 'flint_kafka_produce_duration_seconds', Histogram) ??
      new Histogram({
        name: 'flint_kafka_produce_duration_seconds',
        help: 'Time from handing messages to Kafka to their acknowledgement by all in-sync replicas, by topic.',
        labelNames: ['topic'],
        buckets: PRODUCE_BUCKETS,
        registers: [registry],
      });
    this.consumerLag =
      existing(registry, 'flint_kafka_consumer_lag', Gauge) ??
      new Gauge({
        name: 'flint_kafka_consumer_lag',
        help:
          'Messages of a partition not yet processed by this service, as of its latest fetch: the ' +
          'batch in progress counts until it is committed.',
        labelNames: ['topic', 'partition'],
        registers: [registry],
      });
  }

  /**
   * Gives a Kafka client metrics registered on `registry`; attaching again returns the metrics the
   * client already has. Several clients may share one registry.
   */
  static attach(kafka: Kafka, registry: Registry): KafkaMetrics {
    let metrics = byClient.get(kafka);
    if (metrics === undefined) {
      metrics = new KafkaMetrics(registry);
      byClient.set(kafka, metrics);
    }
    return metrics;
  }

  /** The metrics attached to a client, if any. */
  static of(kafka: Kafka): KafkaMetrics | undefined {
    return byClient.get(kafka);
  }

  /** Records an acknowledged produce request: its latency per topic, and the dead letters in it. */
  produced(records: readonly OutgoingRecord[], seconds: number): void {
    const topics = new Set<string>();
    for (const record of records) {
      topics.add(record.topic);
      const reason = deadLetterReason(record);
      if (reason !== undefined) this.deadLetters.inc({ topic: record.topic, reason });
    }
    for (const topic of topics) this.produceDuration.observe({ topic }, seconds);
  }

  /** The lag of a partition: how many of its messages this consumer has still to process. */
  lag(topic: string, partition: number, messages: number): void {
    this.consumerLag.set({ topic, partition: String(partition) }, messages);
  }
}

type MetricClass<M> = abstract new (...args: never[]) => M;

/** A metric another client already registered on the registry (the local stack shares none, tests may). */
function existing<M>(registry: Registry, name: string, type: MetricClass<M>): M | undefined {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (!(metric instanceof type)) {
    throw new Error(`metric ${name} is already registered with another type`);
  }
  return metric;
}

/**
 * A record is a dead letter when it carries a known DLQ reason header and does not go back to the
 * topic it was read from (that would be a dead letter being replayed, not a new one).
 */
function deadLetterReason(record: OutgoingRecord): DlqReason | undefined {
  const headers = record.headers ?? {};
  const reason = headerText(headers, DLQ_HEADERS.reason);
  if (!isDlqReason(reason)) return undefined;
  if (headerText(headers, DLQ_HEADERS.sourceTopic) === record.topic) return undefined;
  return reason;
}

function isDlqReason(value: string | undefined): value is DlqReason {
  return (DLQ_REASONS as readonly (string | undefined)[]).includes(value);
}

function headerText(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
