import { type Backoff, backoffDelay, type Log, systemClock } from '@flint/common';
import type { OutgoingRecord } from '@flint/kafka';
import {
  type Emit,
  EmitAbortedError,
  EmitFailedError,
  type EmitInput,
  type SourceHealth,
} from '@flint/provider-sdk';
import { deadLetterOf } from './dead-letters';
import type { Delivery, DeliveryOutcome } from './delivery';
import { type BadMessage, type MessageSettings, translate } from './message-translator';
import type { SubscriberMetrics } from './subscriber-metrics';

/** Where dead letters go: the service's `EventProducer`. */
export interface DeadLetterSender {
  sendRecords(records: OutgoingRecord[]): Promise<unknown>;
}

export interface DeliveryPipelineOptions {
  sourceId: string;
  provider: string;
  settings: MessageSettings;
  emit: Emit;
  deadLetters: DeadLetterSender;
  dlqTopic: string;
  metrics: SubscriberMetrics;
  health: SourceHealth;
  log: Log;
  /** The source's run signal: once aborted, nothing more is published and nothing acknowledged. */
  signal: AbortSignal;
  /** Between attempts to write dead letters while Kafka refuses; default 200 ms doubling to 10 s. */
  backoff?: Backoff;
}

/**
 * Turns what a stream kind took from upstream into events on Flint's Kafka: each batch is translated,
 * its events published, its bad messages dead-lettered, and only then does `handle` resolve — the
 * kind acknowledges upstream after that, so a crash in between redelivers instead of losing. While
 * Kafka refuses writes `handle` does not resolve, so the kind takes no more (back-pressure, no
 * buffer). Rejects with `EmitAbortedError` when the source stops first: acknowledge nothing then.
 */
export class DeliveryPipeline {
  constructor(private readonly options: DeliveryPipelineOptions) {}

  async handle(batch: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const started = process.hrtime.bigint();
    const { settings } = this.options;
    const bad = new Map<number, BadMessage>();
    const events: Array<{ index: number; input: EmitInput }> = [];
    batch.forEach((delivery, index) => {
      const translation = translate(delivery, settings);
      if ('bad' in translation) bad.set(index, translation.bad);
      else events.push({ index, input: translation.event });
    });
    await this.publish(events, bad);
    await this.deadLetter(batch, bad);
    const { metrics, provider, health } = this.options;
    if (batch.length > bad.size) health.eventAt(new Date());
    metrics.acknowledged(provider, Number(process.hrtime.bigint() - started) / 1e9);
    return batch.map((_, index) => (bad.has(index) ? 'dead-lettered' : 'published'));
  }

  /**
   * Publishes the batch's events in one request; when Kafka refuses it for good (an event that is
   * no valid CloudEvent, or too large), one at a time, so only the events at fault are dead-lettered.
   */
  private async publish(
    events: ReadonlyArray<{ index: number; input: EmitInput }>,
    bad: Map<number, BadMessage>,
  ): Promise<void> {
    if (events.length === 0) return;
    const { emit } = this.options;
    try {
      await emit.many(events.map((event) => event.input));
      return;
    } catch (err) {
      if (!(err instanceof EmitFailedError && err.permanent) || events.length === 1) {
        if (err instanceof EmitFailedError && err.permanent) {
          bad.set(events[0].index, { reason: 'invalid', error: err.message });
          return;
        }
        throw err;
      }
    }
    for (const event of events) {
      try {
        await emit(event.input);
      } catch (err) {
        if (!(err instanceof EmitFailedError && err.permanent)) throw err;
        bad.set(event.index, { reason: 'invalid', error: err.message });
      }
    }
  }

  /** Writes the dead letters, retrying until Kafka acknowledged them or the source stops. */
  private async deadLetter(
    batch: readonly Delivery[],
    bad: ReadonlyMap<number, BadMessage>,
  ): Promise<void> {
    if (bad.size === 0) return;
    const { sourceId, provider, dlqTopic, signal, log, metrics } = this.options;
    const failedAt = new Date();
    const records = [...bad].map(([index, message]) =>
      deadLetterOf(batch[index], message, { sourceId, provider, dlqTopic, failedAt }),
    );
    const backoff = this.options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new EmitAbortedError();
      try {
        await this.options.deadLetters.sendRecords(records);
        break;
      } catch (err) {
        const delay = backoffDelay(attempt, backoff);
        log('warn', `could not write to flint.dlq, retrying in ${delay} ms: ${String(err)}`);
        await systemClock.sleep(delay, signal);
      }
    }
    for (const [index, message] of bad) {
      metrics.deadLettered(provider, message);
      log('warn', `message sent to flint.dlq (${message.reason}): ${message.error}`, {
        origin: batch[index].origin,
      });
    }
  }
}
