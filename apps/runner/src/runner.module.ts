import { type DynamicModule, Module } from '@nestjs/common';
import {
  serviceLog,
  type ServiceRuntime,
  ServiceKitModule,
  workerLifecycle,
} from '@flint/service-kit';
import { BUILTIN_WORKFLOWS, type Workflow, WorkflowRegistry } from '@flint/workflows';
import { Runner } from './runner';
import { runnerConfigFromEnv } from './runner-config';

export interface RunnerModuleOptions {
  /** Local workflows besides the built-in ones (tests, embedding applications). */
  workflows?: readonly Workflow[];
}

@Module({})
export class RunnerModule {
  static forRuntime(runtime: ServiceRuntime, options: RunnerModuleOptions = {}): DynamicModule {
    const runner = new Runner({
      env: runtime.env,
      kafka: runtime.kafka,
      store: runtime.store,
      topics: runtime.topics,
      topicSettings: runtime.kafkaTopicSettings,
      registry: runtime.registry,
      log: serviceLog(runtime.logger, 'runner'),
      kafkaLog: serviceLog(runtime.logger, 'runner-consumer'),
      config: runnerConfigFromEnv(runtime.env),
      workflows: new WorkflowRegistry([...BUILTIN_WORKFLOWS, ...(options.workflows ?? [])]),
    });
    return {
      module: RunnerModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      providers: [{ provide: Runner, useValue: runner }, workerLifecycle(Runner)],
      exports: [Runner],
    };
  }
}
