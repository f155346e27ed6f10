import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';

/** Work a service runs in the background: consumers, schedulers. */
export interface BackgroundWorker {
  start(): void;
  /** Drains: in-flight work finishes and is committed before it resolves. */
  stop(): Promise<void>;
}

/**
 * A provider that starts the worker registered under `token` with the application and drains it on
 * shutdown, so the HTTP server answers health probes while the worker connects.
 */
export function workerLifecycle(token: Type<BackgroundWorker>): Type<unknown> {
  @Injectable()
  class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
    constructor(@Inject(token) private readonly worker: BackgroundWorker) {}

    onApplicationBootstrap(): void {
      this.worker.start();
    }

    async onApplicationShutdown(): Promise<void> {
      await this.worker.stop();
    }
  }
  return WorkerLifecycle;
}
