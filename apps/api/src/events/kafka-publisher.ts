import { type CloudEvent, type RunRequest, type TopicNames } from '@flint/contracts';
import { encodeCloudEvent, EventProducer, provisionTopics, type TopicSettings } from '@flint/kafka';
import type { Kafka } from 'kafkajs';

/** Kafka did not acknowledge in time (or refused): nothing may be reported as accepted. */
export class PublishUnavailableError extends Error {
  override readonly name = 'PublishUnavailableError';
}

export interface KafkaPublisherOptions {
  kafka: Kafka;
  topics: TopicNames;
  topicSettings: TopicSettings;
  /** How long a call waits for Kafka's acknowledgement before it gives up. */
  timeoutMs: number;
}

/**
 * What the API itself publishes: custom events on the events topic, test-fired and re-run run
 * requests on the runs topic, and re-sent dead letters. Each call resolves only once Kafka
 * acknowledged (acks=all, idempotent producer), so a 2xx means the message is durable. Topics are
 * provisioned on first use and again after a failed attempt.
 */
export class KafkaPublisher {
  private readonly producer: EventProducer;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: KafkaPublisherOptions) {
    this.producer = new EventProducer(options.kafka);
  }

  get eventsTopic(): string {
    return this.options.topics.events;
  }

  /** Keyed by the event's source id, as the providers publish. */
  async publishEvent(event: CloudEvent): Promise<void> {
    await this.publishEvents([event]);
  }

  /** Several events in one send, in order; resolves once Kafka acknowledged all of them. */
  async publishEvents(events: readonly CloudEvent[]): Promise<void> {
    await this.sendAll(this.options.topics.events, events.map(encodeCloudEvent));
  }

  /** Keyed by run id, as the evaluator publishes run requests. */
  publishRunRequest(request: RunRequest): Promise<void> {
    return this.send(
      this.options.topics.runs,
      request.runId,
      JSON.stringify(request),
      request.traceparent ? { traceparent: request.traceparent } : {},
    );
  }

  /**
   * A message as it was, back onto one of Flint's topics (a dead letter re-sent): not signed by the
   * api, so an event keeps the signature it had and a foreign producer's stays unsigned.
   */
  republish(
    topic: string,
    message: { key: string | null; value: Buffer | null; headers: Record<string, string> },
  ): Promise<void> {
    const { key, value, headers } = message;
    return this.acknowledgedInTime(() => this.producer.republish(topic, [{ key, value, headers }]));
  }

  /** Nest calls this when the API stops. */
  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  private send(
    topic: string,
    key: string | null,
    value: Buffer | string | null,
    headers: Record<string, string>,
  ): Promise<void> {
    return this.sendAll(topic, [{ key, value, headers }]);
  }

  private sendAll(
    topic: string,
    messages: Array<{
      key: string | null;
      value: Buffer | string | null;
      headers: Record<string, string>;
    }>,
  ): Promise<void> {
    return this.acknowledgedInTime(() => this.producer.send(topic, messages));
  }

  /** Topics provisioned, then `produce`, acknowledged within the timeout or refused clearly. */
  private async acknowledgedInTime(produce: () => Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new PublishUnavailableError(
              `Kafka did not acknowledge within ${this.options.timeoutMs} ms`,
            ),
          ),
        this.options.timeoutMs,
      );
    });
    try {
      await Promise.race([
        (async () => {
          await this.ensureReady();
          await produce();
        })(),
        timeout,
      ]);
    } catch (err) {
      if (err instanceof PublishUnavailableError) throw err;
      throw new PublishUnavailableError(
        `Kafka refused the message: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private ensureReady(): Promise<void> {
    this.ready ??= provisionTopics(
      this.options.kafka,
      this.options.topics,
      this.options.topicSettings,
    ).then(
      () => undefined,
      (err: unknown) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }
}
