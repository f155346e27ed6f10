import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { RunRequest } from '@flint/contracts';
import { type Decoded, KafkaHandlerErrorFilter, type OutgoingRecord } from '@flint/kafka';
import { Runner } from '../runner';

/** The runs topic, batch by batch, as the Kafka transport delivers it. */
@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class RunRequestsController {
  constructor(@Inject(Runner) private readonly runner: Runner) {}

  /**
   * Resolves once every run id of the batch is claimed in the database; the transport produces what
   * it returns and only then commits, so a crash replays the batch and finds the runs claimed.
   */
  @EventPattern('runs')
  onRunRequests(@Payload() batch: Decoded<RunRequest>[]): Promise<OutgoingRecord[]> {
    return this.runner.claim(batch);
  }
}
