import type { CloudEvent } from '@flint/contracts';
import { type Kafka, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { encodeCloudEvent } from './cloud-event-binding';
import { EventSigner } from './event-signature';
import { KafkaMetrics } from './kafka-metrics';
import type { OutgoingMessage, OutgoingRecord } from './messages';
// Loaded before any produce request is encoded: puts the faster record encoder in kafkajs's place.
import './record-encoder';

/**
 * The one way Flint writes to Kafka. Idempotent with acks from all in-sync replicas, so a promise that
 * resolves means the broker has the messages durably and a retried send never duplicates them;
 * callers acknowledge their own input (an HTTP 2xx, an offset commit) only after that.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;

  constructor(private readonly kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      // kafkajs only guarantees idempotent ordering with one request in flight per broker.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Safe to call repeatedly and concurrently; a failed attempt can be retried. */
  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    if (this.connecting === undefined) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. */
  async send(topic: string, unsigned: OutgoingMessage[]): Promise<RecordMetadata[]> {
    if (unsigned.length === 0) return [];
    const messages = this.signed(unsigned);
    await this.connect();
    return this.measured(
      messages.map((message) => ({ ...message, topic })),
      () => this.producer.send({ topic, messages, acks: -1 }),
    );
  }

  /** Sends records bound for several topics in one request per broker; resolves once all are acked. */
  async sendRecords(unsigned: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (unsigned.length === 0) return [];
    const records = this.signed(unsigned);
    await this.connect();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const { topic, ...message } of records) {
      const messages = byTopic.get(topic) ?? [];
      messages.push(message);
      byTopic.set(topic, messages);
    }
    return this.measured(records, () =>
      this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }),
    );
  }

  /** Every CloudEvent signed when the client has a signing key, so the evaluator can trust it. */
  private signed<M extends OutgoingMessage>(messages: M[]): M[] {
    const signer = EventSigner.of(this.kafka);
    return signer === undefined ? messages : messages.map((message) => signer.sign(message));
  }

  /** Times a produce request from send to acknowledgement; only acknowledged records are counted. */
  private async measured(
    records: readonly OutgoingRecord[],
    send: () => Promise<RecordMetadata[]>,
  ): Promise<RecordMetadata[]> {
    const metrics = KafkaMetrics.of(this.kafka);
    if (metrics === undefined) return send();
    const started = process.hrtime.bigint();
    const acknowledged = await send();
    metrics.produced(records, Number(process.hrtime.bigint() - started) / 1e9);
    return acknowledged;
  }

  /** Publishes one event keyed by its source id, so a source's events stay in order. */
  publishEvent(topic: string, event: CloudEvent): Promise<RecordMetadata[]> {
    return this.publishEvents(topic, [event]);
  }

  publishEvents(topic: string, events: CloudEvent[]): Promise<RecordMetadata[]> {
    return this.send(topic, events.map(encodeCloudEvent));
  }
}
