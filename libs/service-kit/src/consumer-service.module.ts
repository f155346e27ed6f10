import type { DynamicModule, Type } from '@nestjs/common';
import { CONSUMER_TRANSPORT, type KafkaTransportOptions, kafkaTransport } from './kafka-transport';
import { ServiceKitModule } from './service-kit.module';
import type { ServiceRuntime } from './service-runtime';
import { type BackgroundWorker, workerLifecycle } from './worker-lifecycle';

export interface ConsumerServiceModuleOptions<Worker extends BackgroundWorker> {
  /** The service's root module class. */
  module: Type;
  runtime: ServiceRuntime;
  /** The service's worker: started with the application, stopped after the transport drained. */
  worker: { provide: Type<Worker>; useFactory: () => Worker | Promise<Worker> };
  /** The `@EventPattern` handlers the transport feeds. */
  controllers: Type[];
  /** The worker's consumer group and start hooks. */
  transport: (worker: Worker) => KafkaTransportOptions;
}

/**
 * The root module of a service that consumes Kafka: the service kit, its worker, its handlers, and the
 * Kafka transport that feeds them, registered under CONSUMER_TRANSPORT for `startService` to connect.
 */
export function consumerServiceModule<Worker extends BackgroundWorker>(
  options: ConsumerServiceModuleOptions<Worker>,
): DynamicModule {
  const { runtime, worker } = options;
  return {
    module: options.module,
    imports: [ServiceKitModule.forRuntime(runtime)],
    controllers: options.controllers,
    providers: [
      { provide: worker.provide, useFactory: worker.useFactory },
      {
        provide: CONSUMER_TRANSPORT,
        inject: [worker.provide],
        useFactory: (instance: Worker) => kafkaTransport(runtime, options.transport(instance)),
      },
      workerLifecycle(worker.provide),
    ],
    exports: [worker.provide],
  };
}
