/**
 * One message as a stream kind took it from upstream, before Flint has looked at it: the original
 * bytes, the protocol's headers or properties, and where it came from. The kind acknowledges it
 * upstream only after the pipeline has resolved the batch it was in.
 */
export interface Delivery {
  /** The payload, exactly as received. */
  body: Buffer;
  /** Headers (Kafka, NATS), properties (AMQP), user properties (MQTT 5), fields (Redis); names as sent. */
  headers: Readonly<Record<string, string>>;
  /**
   * The protocol's own identity of the message, stable across redelivery (`topic/partition/offset`,
   * a stream entry id, a JetStream sequence, an AMQP message id), if it has one.
   */
  identity?: string;
  /** Where it was published: topic, subject, stream key or routing key; the event's `subject`. */
  subject?: string;
  /** The type the protocol names (an SSE `event:` field), before the source's configured type. */
  type?: string;
  /** When it was published upstream, where the protocol tells. */
  time?: Date;
  /** Where upstream it is, for a dead letter: `orders/3@1045`, `stream 1712-0`, `queue #12`. */
  origin: string;
}

/** What became of each delivery of a batch, in order; the kind acknowledges (or rejects) accordingly. */
export type DeliveryOutcome = 'published' | 'dead-lettered';
