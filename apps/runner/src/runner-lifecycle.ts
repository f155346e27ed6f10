import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Runner } from './runner';

/** Starts the runner with the application and drains it on shutdown. */
@Injectable()
export class RunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Runner) private readonly runner: Runner) {}

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
