import { type DynamicModule, Module } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import {
  serviceLog,
  type ServiceRuntime,
  ServiceKitModule,
  workerLifecycle,
} from '@flint/service-kit';
import { Evaluator } from './evaluator';
import { evaluatorSettingsFromEnv } from './evaluator-settings';

@Module({})
export class EvaluatorModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = evaluatorSettingsFromEnv(runtime.env);
    const kafkaCheck = runtime.healthChecks.find((check) => check.name === 'kafka');
    return {
      module: EvaluatorModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
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
              probeKafka: kafkaCheck && (() => kafkaCheck.check()),
            }),
        },
        workerLifecycle(Evaluator),
      ],
      exports: [Evaluator],
    };
  }
}
