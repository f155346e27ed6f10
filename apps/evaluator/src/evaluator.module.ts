import { type DynamicModule, Module } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import { EventProducer } from '@flint/kafka';
import {
  CONSUMER_TRANSPORT,
  kafkaTransport,
  type ServiceRuntime,
  ServiceKitModule,
  serviceLog,
  workerLifecycle,
} from '@flint/service-kit';
import { Evaluator } from './evaluator';
import { evaluatorSettingsFromEnv } from './evaluator-settings';
import { EventsController } from './pipeline/events.controller';

@Module({})
export class EvaluatorModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = evaluatorSettingsFromEnv(runtime.env);
    const kafkaCheck = runtime.healthChecks.find((check) => check.name === 'kafka');
    const producer = new EventProducer(runtime.kafka);
    return {
      module: EvaluatorModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      controllers: [EventsController],
      providers: [
        {
          provide: Evaluator,
          // The CEL library is an ES module, loaded asynchronously once; Nest awaits the factory.
          useFactory: async () =>
            new Evaluator({
              kafka: runtime.kafka,
              store: runtime.store,
              topics: runtime.topics,
              topicSettings: runtime.kafkaTopicSettings,
              registry: runtime.registry,
              engine: await CelEngine.create(),
              settings,
              log: serviceLog(runtime.logger, 'evaluator'),
              producer,
              probeKafka: kafkaCheck && (() => kafkaCheck.check()),
            }),
        },
        {
          provide: CONSUMER_TRANSPORT,
          inject: [Evaluator],
          useFactory: (evaluator: Evaluator) =>
            kafkaTransport(runtime, {
              groupId: settings.groupId,
              producer,
              prepare: () => evaluator.prepare(),
              unprepare: () => evaluator.unprepare(),
              onPartitionsAssigned: (_topic, partitions) => evaluator.assign(partitions),
            }),
        },
        workerLifecycle(Evaluator),
      ],
      exports: [Evaluator],
    };
  }
}
