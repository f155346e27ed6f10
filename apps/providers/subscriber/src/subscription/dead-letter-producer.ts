import type { OnApplicationShutdown } from '@nestjs/common';
import { EventProducer, type OutgoingRecord } from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import type { DeadLetterSender } from './delivery-pipeline';

/** The subscriber's writer of flint.dlq: an idempotent `acks=all` producer, closed with the service. */
export class DeadLetterProducer implements DeadLetterSender, OnApplicationShutdown {
  private readonly producer: EventProducer;

  constructor(kafka: Kafka) {
    this.producer = new EventProducer(kafka);
  }

  sendRecords(records: OutgoingRecord[]): Promise<unknown> {
    return this.producer.sendRecords(records);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
