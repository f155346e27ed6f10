import type { Log } from '@flint/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { RetryPolicy } from '../batch-retry';
import { BatchConsumer } from '../batch-consumer';
import type { BatchContext, Decode, Decoded } from '../batch-processor';
import { decodeCloudEvent } from '../cloud-event-binding';
import type { IncomingMessage, OutgoingRecord } from '../messages';
import type { EventProducer } from '../producer';
import { FlintKafkaContext } from './flint-kafka.context';

export interface FlintKafkaServerOptions {
  kafka: Kafka;
  producer: EventProducer;
  groupId: string;
  dlqTopic: string;
  /**
   * Pattern → topic. Lets handlers name a topic by its role (`@EventPattern('events')`) while the
   * real name comes from configuration; a pattern not listed is the topic name itself.
   */
  topicNames?: Record<string, string>;
  /** Decoder per topic name; topics not listed carry CloudEvents. */
  decoders?: Record<string, Decode<unknown>>;
  retry?: Partial<RetryPolicy>;
  log?: Log;
  fromBeginning?: boolean;
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
 */
export class FlintKafkaServer
  extends Server<FlintKafkaEvents, FlintKafkaStatus>
  implements CustomTransportStrategy
{
  private consumer: BatchConsumer<unknown> | undefined;
  private readonly crashListeners: FlintKafkaEvents['crash'][] = [];

  constructor(private readonly options: FlintKafkaServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const routes = this.routes();
      if (routes.size > 0) {
        const consumer = new BatchConsumer<unknown>({
          kafka: this.options.kafka,
          producer: this.options.producer,
          groupId: this.options.groupId,
          dlqTopic: this.options.dlqTopic,
          topics: [...routes.keys()],
          decode: (message) => this.decoderFor(message)(message),
          handle: (items, ctx) => this.dispatch(routes, items, ctx),
          retry: this.options.retry,
          log: this.options.log,
          fromBeginning: this.options.fromBeginning,
        });
        consumer.onCrash((error, willRestart) => {
          if (!willRestart) this._status$.next('crashed');
          for (const listener of this.crashListeners) listener(error, willRestart);
        });
        this.consumer = consumer;
        await consumer.start();
      }
      this._status$.next('connected');
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Drains: the batch in flight finishes and commits before the consumer leaves the group. */
  async close(): Promise<void> {
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
