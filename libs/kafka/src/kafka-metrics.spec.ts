import { DLQ_HEADERS } from '@flint/contracts';
import { Kafka } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';
import { KafkaMetrics } from './kafka-metrics';
import type { OutgoingRecord } from './messages';

/** A client that is never connected: attaching metrics needs only its identity. */
function client(): Kafka {
  return new Kafka({ clientId: 'kafka-metrics-spec', brokers: ['127.0.0.1:1'] });
}

function deadLetter(topic: string, reason: string, sourceTopic = 'flint.events'): OutgoingRecord {
  return {
    topic,
    key: 'k',
    value: 'v',
    headers: {
      [DLQ_HEADERS.reason]: Buffer.from(reason),
      [DLQ_HEADERS.sourceTopic]: sourceTopic,
    },
  };
}

async function values(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not registered`);
  return (await metric.get()).values;
}

describe('KafkaMetrics', () => {
  it('is found on the client it was attached to, and only there', () => {
    const kafka = client();
    const registry = new Registry();
    expect(KafkaMetrics.of(kafka)).toBeUndefined();
    const metrics = KafkaMetrics.attach(kafka, registry);
    expect(KafkaMetrics.of(kafka)).toBe(metrics);
    expect(KafkaMetrics.attach(kafka, registry)).toBe(metrics);
    expect(KafkaMetrics.of(client())).toBeUndefined();
  });

  it('registers each metric once with help text, even for several clients on one registry', async () => {
    const registry = new Registry();
    KafkaMetrics.attach(client(), registry);
    KafkaMetrics.attach(client(), registry);
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.map((m) => [m.name, m.type]).sort()).toEqual([
      ['flint_dlq_messages_total', 'counter'],
      ['flint_kafka_consumer_lag', 'gauge'],
      ['flint_kafka_produce_duration_seconds', 'histogram'],
    ]);
    for (const metric of metrics) expect(metric.help.length).toBeGreaterThan(20);
  });

  it('refuses a registry where a metric of its name has another type', () => {
    const registry = new Registry();
    new Gauge({ name: 'flint_dlq_messages_total', help: 'something else', registers: [registry] });
    expect(() => KafkaMetrics.attach(client(), registry)).toThrow(
      'metric flint_dlq_messages_total is already registered with another type',
    );
  });

  it('counts dead letters by topic and reason, and times the request per topic', async () => {
    const registry = new Registry();
    const metrics = KafkaMetrics.attach(client(), registry);
    metrics.produced(
      [
        deadLetter('flint.dlq', 'undecodable'),
        deadLetter('flint.dlq', 'undecodable'),
        deadLetter('flint.dlq', 'processing-failed'),
        { topic: 'flint.runs', value: '{}' },
      ],
      0.02,
    );
    expect(await values(registry, 'flint_dlq_messages_total')).toEqual(
      expect.arrayContaining([
        { labels: { topic: 'flint.dlq', reason: 'undecodable' }, value: 2 },
        { labels: { topic: 'flint.dlq', reason: 'processing-failed' }, value: 1 },
      ]),
    );
    expect((await values(registry, 'flint_dlq_messages_total')).length).toBe(2);
    const counts = (await values(registry, 'flint_kafka_produce_duration_seconds')).filter(
      (v) => 'metricName' in v && v.metricName === 'flint_kafka_produce_duration_seconds_count',
    );
    expect(counts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { topic: 'flint.dlq' }, value: 1 }),
        expect.objectContaining({ labels: { topic: 'flint.runs' }, value: 1 }),
      ]),
    );
    expect(counts.length).toBe(2);
  });

  it('does not count an unknown reason, nor a dead letter replayed to the topic it came from', async () => {
    const registry = new Registry();
    const metrics = KafkaMetrics.attach(client(), registry);
    metrics.produced(
      [deadLetter('flint.dlq', 'made-up'), deadLetter('flint.events', 'invalid', 'flint.events')],
      0.01,
    );
    expect(await values(registry, 'flint_dlq_messages_total')).toEqual([]);
  });

  it('reports the lag of each partition as last told', async () => {
    const registry = new Registry();
    const metrics = KafkaMetrics.attach(client(), registry);
    metrics.lag('flint.events', 0, 12);
    metrics.lag('flint.events', 1, 3);
    metrics.lag('flint.events', 0, 0);
    expect(await values(registry, 'flint_kafka_consumer_lag')).toEqual([
      { labels: { topic: 'flint.events', partition: '0' }, value: 0 },
      { labels: { topic: 'flint.events', partition: '1' }, value: 3 },
    ]);
  });
});
