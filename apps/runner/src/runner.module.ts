import { type DynamicModule, Module } from '@nestjs/common';
import {
  kafkaLogFor,
  type ServiceRuntime,
  ServiceKitModule,
  workerLifecycle,
} from '@flint/service-kit';
import { BUILTIN_WORKFLOWS, type Workflow, WorkflowRegistry } from '../../../libs/workflows/src';
import { Runner } from './runner';
import { runnerConfigFromEnv } from './runner-config';

export interface RunnerModuleOptions {
  /** Local workflows besides the built-in ones (tests, embedding applications). */
  workflows?: readonly Workflow[];
}

@Module({})
export class RunnerModule {
  static forRuntime(runtime: ServiceRuntime, options: RunnerModuleOptions = {}): DynamicModule {
    const logger = runtime.logger.child({ component: 'runner' });
    const runner = new Runner({
      env: runtime.env,
      kafka: runtime.kafka,
      store: runtime.store,
      topics: runtime.topics,
      topicSettings: runtime.kafkaTopicSettings,
      registry: runtime.registry,
      log: logger,
      kafkaLog: kafkaLogFor(runtime.logger.child({ component: 'runner-consumer' })),
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
