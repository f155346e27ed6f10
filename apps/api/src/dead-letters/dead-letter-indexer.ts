import { keepTrying, type Log } from '@flint/common';
import type { TopicNames } from '@flint/contracts';
import {
  BatchConsumer,
  EventProducer,
  type IncomingMessage,
  provisionTopics,
  type TopicSettings,
} from '@flint/kafka';
import type { DeadLetterRepository, NewDeadLetter } from '@flint/store';
import type { Kafka } from 'kafkajs';
import { deadLetterOf } from './dead-letter-index';

export interface DeadLetterIndexerOptions {
  kafka: Kafka;
  topics: TopicNames;
  topicSettings: TopicSettings;
  /** Every API replica in one group: each dead letter is indexed by one of them. */
  groupId: string;
  deadLetters: DeadLetterRepository;
  log: Log;
}

/**
 * Reads the dead-letter topic into the `dead_letters` index, which the dead-letter routes query.
 * Offsets are committed after the rows are written, so a crash indexes a batch again (the index keys
 * rows by their offset, so nothing doubles). It starts in the background and keeps trying, so the
 * API answers while Kafka is down.
 */
export class DeadLetterIndexer {
  private readonly producer: EventProducer;
  private consumer: BatchConsumer<NewDeadLetter> | undefined;
  private readonly stopping = new AbortController();
  private starting: Promise<unknown> | undefined;

  constructor(private readonly options: DeadLetterIndexerOptions) {
    this.producer = new EventProducer(options.kafka);
  }

  start(): void {
    const { kafka, topics, topicSettings, log } = this.options;
    this.starting = keepTrying(
      async () => {
        await provisionTopics(kafka, topics, topicSettings);
        // A consumer that failed to start cannot start again: each try gets a new one.
        this.consumer = this.newConsumer();
        await this.consumer.start();
      },
      {
        signal: this.stopping.signal,
        backoff: { initialMs: 1000, maxMs: 15_000 },
        doing: 'reach Kafka to index the dead-letter topic',
        log,
        cleanUp: async () => {
          await this.consumer?.stop();
        },
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    await this.consumer?.stop();
    await this.producer.disconnect();
  }

  /** Nest starts the indexer with the API and stops it with the API. */
  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private newConsumer(): BatchConsumer<NewDeadLetter> {
    const { kafka, groupId, topics, deadLetters, log } = this.options;
    return new BatchConsumer<NewDeadLetter>({
      kafka,
      groupId,
      topics: [topics.dlq],
      producer: this.producer,
      // Never used: decoding cannot fail, and a failing write is an outage, retried.
      dlqTopic: topics.dlq,
      decode: (message: IncomingMessage) => deadLetterOf(message),
      handle: async (items) => {
        await deadLetters.index(items.map((item) => item.value));
        return [];
      },
      log,
    });
  }
}
