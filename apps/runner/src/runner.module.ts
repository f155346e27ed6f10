import { type DynamicModule, Module } from '@nestjs/common';
import { decodeRunRequest } from '@flint/contracts';
import { EventProducer } from '@flint/kafka';
import { consumerServiceModule, type ServiceRuntime, serviceLog } from '@flint/service-kit';
import { BUILTIN_WORKFLOWS, type Workflow, WorkflowRegistry } from '@flint/workflows';
import { RunRequestsController } from './claiming/run-requests.controller';
import { Runner } from './runner';
import { runnerConfigFromEnv } from './runner-config';

export interface RunnerModuleOptions {
  /** Local workflows besides the built-in ones (tests, embedding applications). */
  workflows?: readonly Workflow[];
}

@Module({})
export class RunnerModule {
  static forRuntime(runtime: ServiceRuntime, options: RunnerModuleOptions = {}): DynamicModule {
    const config = runnerConfigFromEnv(runtime.env);
    const producer = new EventProducer(runtime.kafka);
    return consumerServiceModule({
      module: RunnerModule,
      runtime,
      worker: {
        provide: Runner,
        useFactory: () =>
          new Runner({
            env: runtime.env,
            kafka: runtime.kafka,
            store: runtime.store,
            topics: runtime.topics,
            topicSettings: runtime.kafkaTopicSettings,
            registry: runtime.registry,
            log: serviceLog(runtime.logger, 'runner'),
            producer,
            config,
            workflows: new WorkflowRegistry([...BUILTIN_WORKFLOWS, ...(options.workflows ?? [])]),
          }),
      },
      controllers: [RunRequestsController],
      transport: (runner) => ({
        groupId: config.groupId,
        producer,
        decoders: { [runtime.topics.runs]: decodeRunRequest },
        prepare: () => runner.prepare(),
        // A start in progress (say, to a broker that is down) gets the drain time to finish or fail.
        connectGraceMs: config.drainTimeoutMs,
      }),
    });
  }
}
