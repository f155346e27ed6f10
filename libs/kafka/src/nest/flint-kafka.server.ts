import { type Backoff, jsonStderrLog, keepTrying, type Log, within } from '@flint/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { BatchConsumer } from '../batch-consumer';
import type { BatchContext, Decode, Decoded } from '../batch-processor';
import type { RetryPolicy } from '../batch-retry';
import { decodeCloudEvent } from '../cloud-event-binding';
import type { IncomingMessage, OutgoingRecord } from '../messages';
import type { EventProducer } from '../producer';
import { FlintKafkaContext } from './flint-kafka.context';

export interface FlintKafkaServerOptions {
  kafka: Kafka;
  /** Produces the dead letters and the handlers' output; connected by the server, owned by the caller. */
  producer: EventProducer;
  groupId: string;
  dlqTopic: string;
  /**
   * Pattern → topic. Lets handlers name a topic by its role (`@EventPattern('events')`) while the
   * real name comes from configuration; a pattern not listed is the topic name itself.
   */
  topicNames?: Readonly<Record<string, string>>;
  /** Decoder per topic name; topics not listed carry CloudEvents. */
  decoders?: Record<string, Decode<unknown>>;
  retry?: Partial<RetryPolicy>;
  log?: Log;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** How many partitions' batches are handled at once (`BatchConsumerOptions`). */
  partitionsConsumedConcurrently?: number;
  /**
   * Runs before each attempt to start consuming: what the handlers need first (topics provisioned,
   * definitions loaded). A throw fails the attempt, which is tried again after a backoff.
   */
  prepare?: () => Promise<void>;
  /** Undoes what `prepare` did, after an attempt failed. */
  unprepare?: () => Promise<void>;
  /** The partitions of a topic this replica was given when the group (re)balanced. */
  onPartitionsAssigned?: (topic: string, partitions: number[]) => void;
  /** Delays between start attempts while Kafka cannot be reached; 1 s doubling to 10 s by default. */
  connectBackoff?: Backoff;
  /** How long `close()` waits for a start attempt in progress (say, against a broker that is down). */
  connectGraceMs?: number;
}

export type FlintKafkaStatus = 'connected' | 'disconnected' | 'crashed';

type FlintKafkaEvents = {
  crash: (error: Error, willRestart: boolean) => void;
};

/**
 * A Nest transport that feeds `@EventPattern(topic)` handlers whole batches with commit-after-produce.
 * The built-in Kafka transport hands over one message at a time and commits on its own schedule,
 * which cannot promise that a handler's output is in Kafka before its input is committed; this one
 * runs a `BatchConsumer`, so a handler receives `Decoded<T>[]` and returns the `OutgoingRecord[]` to
 * produce, and the offsets move only after Kafka acknowledged them.
 *
 * `listen` answers at once and connects in the background, trying again until the broker answers, so
 * a service boots (and reports Kafka unhealthy) while Kafka is down; `listening` resolves once the
 * consumer has joined its group.
 */
export class FlintKafkaServer
  extends Server<FlintKafkaEvents, FlintKafkaStatus>
  implements CustomTransportStrategy
{
  /** Resolves once the handlers' topics are being consumed. */
  readonly listening: Promise<void>;
  private markListening!: () => void;
  private consumer: BatchConsumer<unknown> | undefined;
  private connecting: Promise<unknown> | undefined;
  private readonly stopping = new AbortController();
  private readonly crashListeners: FlintKafkaEvents['crash'][] = [];
  private readonly log: Log;

  constructor(private readonly options: FlintKafkaServerOptions) {
    super();
    this.log = options.log ?? jsonStderrLog;
    this.listening = new Promise((resolve) => (this.markListening = resolve));
  }

  listen(callback: (error?: unknown) => void): void {
    let routes: Map<string, string>;
    try {
      routes = this.routes();
    } catch (err) {
      callback(err);
      return;
    }
    if (routes.size === 0) this.connected();
    else this.connecting = this.connect(routes);
    callback();
  }

  /** Drains: the batch in flight finishes and commits before the consumer leaves the group. */
  async close(): Promise<void> {
    this.stopping.abort();
    if (this.connecting) await within(this.connecting, this.options.connectGraceMs ?? 30_000);
    await this.consumer?.stop();
    this.consumer = undefined;
    this._status$.next('disconnected');
  }

  on<K extends keyof FlintKafkaEvents>(event: K, callback: FlintKafkaEvents[K]): void {
    if (event !== 'crash') throw new Error(`FlintKafkaServer emits no "${String(event)}" event`);
    this.crashListeners.push(callback);
  }

  /** The running `BatchConsumer`; throws before `listen` has started one. */
  unwrap<T>(): T {
    if (this.consumer === undefined) {
      throw new Error('FlintKafkaServer is not listening: no consumer to unwrap');
    }
    return this.consumer as T;
  }

  private async connect(routes: Map<string, string>): Promise<void> {
    const signal = this.stopping.signal;
    const started = await keepTrying(
      async () => {
        await this.options.prepare?.();
        if (signal.aborted) return;
        const consumer = this.createConsumer(routes);
        this.consumer = consumer;
        await consumer.start();
        // close() gave up waiting for this attempt: it must not leave a consumer behind.
        if (signal.aborted) await consumer.stop();
      },
      {
        signal,
        backoff: this.options.connectBackoff ?? { initialMs: 1000, maxMs: 10_000 },
        doing: `consume ${[...routes.keys()].join(', ')}`,
        log: this.log,
        cleanUp: async () => {
          await this.consumer?.stop();
          this.consumer = undefined;
          await this.options.unprepare?.();
        },
      },
    );
    if (started) this.connected();
  }

  private connected(): void {
    this._status$.next('connected');
    this.markListening();
  }

  private createConsumer(routes: Map<string, string>): BatchConsumer<unknown> {
    const consumer = new BatchConsumer<unknown>({
      kafka: this.options.kafka,
      producer: this.options.producer,
      groupId: this.options.groupId,
      dlqTopic: this.options.dlqTopic,
      topics: [...routes.keys()],
      decode: (message) => this.decoderFor(message)(message),
      handle: (items, ctx) => this.dispatch(routes, items, ctx),
      retry: this.options.retry,
      log: this.log,
      fromBeginning: this.options.fromBeginning,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
    });
    consumer.onCrash((error, willRestart) => {
      if (!willRestart) this._status$.next('crashed');
      for (const listener of this.crashListeners) listener(error, willRestart);
    });
    const assigned = this.options.onPartitionsAssigned;
    if (assigned) {
      const kafkaConsumer = consumer.kafkaConsumer;
      kafkaConsumer.on(kafkaConsumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          assigned(topic, partitions);
        }
      });
    }
    return consumer;
  }

  /** Topic → pattern of every registered handler; one handler per topic, since it owns the output. */
  private routes(): Map<string, string> {
    const routes = new Map<string, string>();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler) {
        throw new Error(`@MessagePattern('${pattern}') is not supported here; use @EventPattern`);
      }
      if (handler.next) {
        throw new Error(
          `more than one @EventPattern('${pattern}') handler; a topic needs exactly one`,
        );
      }
      routes.set(this.options.topicNames?.[pattern] ?? pattern, pattern);
    }
    return routes;
  }

  private decoderFor(message: IncomingMessage): Decode<unknown> {
    return this.options.decoders?.[message.topic] ?? decodeCloudEvent;
  }

  private async dispatch(
    routes: Map<string, string>,
    items: Decoded<unknown>[],
    ctx: BatchContext,
  ): Promise<OutgoingRecord[]> {
    const pattern = routes.get(ctx.topic);
    const handler = pattern === undefined ? null : this.getHandlerByPattern(pattern);
    if (handler === null) throw new Error(`no @EventPattern handler for topic ${ctx.topic}`);
    const result: unknown = await handler(items, new FlintKafkaContext([ctx]));
    const records = await lastValueFrom(this.transformToObservable(result), {
      defaultValue: [],
    });
    if (records === undefined || records === null) return [];
    if (!Array.isArray(records)) {
      throw new Error(
        `the @EventPattern('${pattern}') handler must return the records to produce (an array)`,
      );
    }
    return records as OutgoingRecord[];
  }
}
