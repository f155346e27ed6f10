import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  type Decoded,
  KafkaHandlerErrorFilter,
  type OutgoingRecord,
  ReceivedEvent,
} from '@flint/kafka';
import { Evaluator } from '../evaluator';

/** The events topic, batch by batch, as the Kafka transport delivers it. */
@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class EventsController {
  constructor(@Inject(Evaluator) private readonly evaluator: Evaluator) {}

  /**
   * Resolves once the batch's run requests are in Kafka and its batched and compound events in the
   * database, so the transport may commit it. Run requests are sent as they are decided (batches and
   * compound matches flush only after them), so nothing is left for the transport to produce.
   */
  @EventPattern('events')
  async onEvents(@Payload() batch: Decoded<ReceivedEvent>[]): Promise<OutgoingRecord[]> {
    await this.evaluator.process(batch.map((item) => ({ ...item.value, message: item.message })));
    return [];
  }
}
