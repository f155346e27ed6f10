import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Evaluator } from './evaluator';

/** Starts the evaluator with the application and drains it on shutdown. */
@Injectable()
export class EvaluatorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Evaluator) private readonly evaluator: Evaluator) {}

  onApplicationBootstrap(): void {
    this.evaluator.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.evaluator.stop();
  }
}
