import { type DynamicModule, Module } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import { EventProducer, EventSigner, receivedEventDecoder } from '@flint/kafka';
import { consumerServiceModule, type ServiceRuntime, serviceLog } from '@flint/service-kit';
import { Evaluator } from './evaluator';
import { evaluatorSettingsFromEnv } from './evaluator-settings';
import { EventsController } from './pipeline/events.controller';

@Module({})
export class EvaluatorModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = evaluatorSettingsFromEnv(runtime.env);
    const kafkaCheck = runtime.healthChecks.find((check) => check.name === 'kafka');
    const producer = new EventProducer(runtime.kafka);
    return consumerServiceModule({
      module: EvaluatorModule,
      runtime,
      worker: {
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
      controllers: [EventsController],
      transport: (evaluator) => ({
        groupId: settings.groupId,
        producer,
        // Signatures tell Flint's own events from those anyone else wrote to the topic.
        decoders: { [runtime.topics.events]: receivedEventDecoder(EventSigner.of(runtime.kafka)) },
        prepare: () => evaluator.prepare(),
        unprepare: () => evaluator.unprepare(),
        onPartitionsAssigned: (_topic, partitions) => evaluator.assign(partitions),
      }),
    });
  }
}
