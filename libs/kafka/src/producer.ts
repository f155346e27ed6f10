import { Batcher } from '@flint/common';
import type { CloudEvent } from '@flint/contracts';
import { type Kafka, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { encodeCloudEvent } from './cloud-event-binding';
import { EventSigner } from './event-signature';
import { isTransientError } from './failure-kinds';
import { KafkaMetrics } from './kafka-metrics';
import type { OutgoingMessage, OutgoingRecord } from './messages';
// Loaded before any produce request is encoded: puts the faster record encoder in kafkajs's place.
import './record-encoder';

/** Most calls one produce request carries when calls made while another was in flight go together. */
const CALLS_PER_REQUEST = 64;

/** One call's records, told apart from the other calls of its request. */
interface SendCall {
  id: number;
  records: OutgoingRecord[];
}

/**
 * The one way Flint writes to Kafka. Idempotent with acks from all in-sync replicas, so a promise that
 * resolves means the broker has the messages durably and a retried send never duplicates them;
 * callers acknowledge their own input (an HTTP 2xx, an offset commit) only after that.
 *
 * Idempotence allows one produce request in flight per broker, so calls made while one is in flight
 * (a consumer's partitions handled side by side, the outbox relay beside them) would each wait for
 * every earlier call's round trip in turn. They go together in the next request instead: one round
 * trip after the one in flight, whatever their number.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;
  private readonly calls: Batcher<SendCall, RecordMetadata[]>;
  private nextCallId = 0;

  constructor(private readonly kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      // kafkajs only guarantees idempotent ordering with one request in flight per broker.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.calls = new Batcher((calls) => this.produceTogether(calls), {
      flush: 'one-in-flight',
      maxBatch: CALLS_PER_REQUEST,
      keyOf: (call) => String(call.id),
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

  /**
   * Resolves once every message is acknowledged by all in-sync replicas, with the metadata of the
   * produce request that carried them (which other calls' records may share).
   */
  send(topic: string, messages: OutgoingMessage[]): Promise<RecordMetadata[]> {
    return this.sendRecords(messages.map((message) => ({ ...message, topic })));
  }

  /** Sends records bound for several topics in one request per broker; resolves once all are acked. */
  sendRecords(unsigned: OutgoingRecord[]): Promise<RecordMetadata[]> {
    return this.sendAsIs(this.signed(unsigned));
  }

  /**
   * Puts messages back on a topic exactly as they were, with whatever signature they carry and none
   * added: a message re-sent from the dead letters keeps the trust it had (a Flint service's
   * signature still holds, since it covers only the `ce_` headers, the content type and the value)
   * and gains none it lacked (a foreign producer's event stays unsigned).
   */
  republish(topic: string, messages: OutgoingMessage[]): Promise<RecordMetadata[]> {
    return this.sendAsIs(messages.map((message) => ({ ...message, topic })));
  }

  private async sendAsIs(records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    await this.connect();
    return this.calls.call({ id: this.nextCallId++, records });
  }

  /**
   * One produce request for the calls gathered while the last was in flight. When the broker refuses
   * it for a reason of the records (one call's record too large, say), each call is sent on its own,
   * so only the call at fault fails; an outage fails them all, and each caller retries its own. What
   * partitions of the refused request the broker took is sent again with its call: at least once,
   * as after any failed send a caller retries.
   */
  private async produceTogether(calls: SendCall[]): Promise<(RecordMetadata[] | Error)[]> {
    const [only] = calls;
    if (calls.length === 1 && only !== undefined) return [await this.produce(only.records)];
    try {
      const acknowledged = await this.produce(calls.flatMap((call) => call.records));
      return calls.map(() => acknowledged);
    } catch (err) {
      if (isTransientError(err)) throw err;
      return Promise.all(
        calls.map((call) =>
          this.produce(call.records).catch((alone: unknown) =>
            alone instanceof Error ? alone : new Error(String(alone)),
          ),
        ),
      );
    }
  }

  private produce(records: OutgoingRecord[]): Promise<RecordMetadata[]> {
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
