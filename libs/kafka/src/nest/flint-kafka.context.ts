import { BaseRpcContext } from '@nestjs/microservices';
import type { BatchContext } from '../batch-processor';

/** What `@Ctx()` gives a Flint Kafka handler: the topic-partition of the batch and a heartbeat. */
export class FlintKafkaContext extends BaseRpcContext<[BatchContext]> {
  getTopic(): string {
    return this.args[0].topic;
  }

  getPartition(): number {
    return this.args[0].partition;
  }

  /** Keeps the partition assigned during long work. */
  heartbeat(): Promise<void> {
    return this.args[0].heartbeat();
  }

  isStopping(): boolean {
    return this.args[0].isStopping();
  }
}
