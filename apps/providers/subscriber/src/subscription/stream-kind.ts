import type { KindOfService, RunnableKind, SourceConfigOf } from '@flint/contracts';
import type { SourceContext, SourceOf } from '@flint/provider-sdk';
import type { Store } from '@flint/store';
import type { Delivery, DeliveryOutcome } from './delivery';
import type { MessageSettings } from './message-translator';

/** The kinds the subscriber service runs (those the registry assigns to it). */
export type SubscriberKind = KindOfService<'subscriber'> & RunnableKind;

/** One connection's view of a running source, as a stream kind's `consume` gets it. */
export interface StreamSession<K extends SubscriberKind, Config> {
  readonly ctx: SourceContext<K, Config>;
  /**
   * Publishes a batch (an empty one is fine) and resolves with what became of each message, in order,
   * once every event is acknowledged by Kafka and every bad message is in flint.dlq: acknowledge
   * upstream after, and take no more before (back-pressure). Rejects when the source stops first
   * (acknowledge nothing).
   */
  deliver(batch: readonly Delivery[]): Promise<DeliveryOutcome[]>;
  /** The connection is established and subscribed: the source is up. */
  connected(): void;
  /** How many messages the source is behind upstream, where the protocol tells. */
  lag(messages: number): void;
}

/**
 * One kind of stream or push source: it only connects, takes messages and acknowledges them; the
 * subscriber's shared machinery (`subscriberProvider`) does the rest — translation, publishing,
 * dead letters, status, metrics and reconnecting with backoff.
 */
export interface StreamKind<K extends SubscriberKind, Config extends MessageSettings> {
  readonly kind: K;
  /** One replica per source, where the protocol cannot share the work (see `SourceProviderImpl`). */
  readonly exclusive?: boolean;
  /** Checks what the schema cannot and resolves nothing secret yet; throws `InvalidSourceError`. */
  validate(config: SourceConfigOf<K>, source: SourceOf<K>): Config | Promise<Config>;
  /**
   * Connects, calls `session.connected()`, and consumes until `ctx.signal` aborts (then closes and
   * resolves) or the connection fails (then rejects with the reason; it is retried with backoff).
   */
  consume(session: StreamSession<K, Config>): Promise<void>;
  /** Forgets what must not outlive a deleted source (a persisted position). */
  retire?(source: SourceOf<K>, store: Store): Promise<void>;
}
