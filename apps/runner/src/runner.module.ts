import { type DynamicModule, Module } from '@nestjs/common';
import { decodeRunRequest } from '@flint/contracts';
import { EventProducer } from '@flint/kafka';
import { consumerServiceModule, type ServiceRuntime, serviceLog } from '@flint/service-kit';
import { loadUserDefinitions } from '@flint/user-code';
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
    const workflows = new WorkflowRegistry([
      ...BUILTIN_WORKFLOWS,
      ...(options.workflows ?? []),
      ...userWorkflows(config.workflowsDir, runtime),
    ]);
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
            workflows,
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

/**
 * The workflows of FLINT_WORKFLOWS_DIR, loaded once at start: a module that cannot be loaded, exports
 * no workflow or reuses a name fails the boot, naming the file (a changed file is picked up by a
 * restart).
 */
function userWorkflows(folder: string | undefined, runtime: ServiceRuntime): Workflow[] {
  if (folder === undefined) return [];
  const builtIn = new Map(BUILTIN_WORKFLOWS.map((w) => [w.name, 'a workflow built into Flint']));
  const loaded = loadUserDefinitions('workflow', 'FLINT_WORKFLOWS_DIR', folder, builtIn);
  const log = serviceLog(runtime.logger, 'runner');
  for (const { value, file } of loaded)
    log('info', 'user workflow loaded', { workflow: value.name, file });
  return loaded.map((d) => d.value);
}
