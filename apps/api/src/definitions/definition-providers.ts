import type { Provider, Type } from '@nestjs/common';
import { CelEngine, definitionExpressionProblems } from '@flint/conditions';
import type { ServiceRuntime } from '@flint/service-kit';
import { RunnerWorkflowsRepository, SourceStatusRepository } from '@flint/store';
import { DefinitionHistoryRepository } from './definition-history';
import { DefinitionRepository } from './definition-repository';
import { OutboxPublisher } from '../outbox/outbox-publisher';
import { DefinitionApplier } from './definition-applier';
import { SourcesController, TriggersController } from './definition-resources.controller';
import { DefinitionService } from './definition-service';
import { DefinitionValidator } from './definition-validator';
import { DefinitionsController } from './definitions.controller';
import { LocalWorkflowsController } from './local-workflows.controller';
import { SourceStatuses } from './source-statuses';

export const definitionControllers: Type[] = [
  DefinitionsController,
  SourcesController,
  TriggersController,
  LocalWorkflowsController,
];

/** The definitions area's providers; DefinitionRepository is exported for other areas to read. */
export function definitionProviders(runtime: ServiceRuntime): Provider[] {
  return [
    {
      provide: DefinitionRepository,
      useValue: new DefinitionRepository(runtime.store, {
        triggersTopic: runtime.topics.triggers,
      }),
    },
    { provide: RunnerWorkflowsRepository, useValue: new RunnerWorkflowsRepository(runtime.store) },
    {
      provide: SourceStatuses,
      useValue: new SourceStatuses(new SourceStatusRepository(runtime.store)),
    },
    {
      provide: DefinitionValidator,
      inject: [DefinitionRepository, RunnerWorkflowsRepository],
      // A condition or mapping that does not compile, or a local workflow no runner has, is refused
      // at save time rather than discovered on the first event or run.
      useFactory: async (
        repository: DefinitionRepository,
        workflows: RunnerWorkflowsRepository,
      ) => {
        const cel = await CelEngine.create();
        return new DefinitionValidator({
          checkExpressions: async (definition) => definitionExpressionProblems(cel, definition),
          sourceExists: async (id) => (await repository.get('source', id)) !== undefined,
          missingSource: (id) =>
            `source "${id}" does not exist; apply it first or in the same batch`,
          localWorkflows: () => workflows.known(),
        });
      },
    },
    {
      provide: DefinitionHistoryRepository,
      useValue: new DefinitionHistoryRepository(runtime.store),
    },
    {
      provide: DefinitionApplier,
      inject: [DefinitionRepository, DefinitionValidator, OutboxPublisher],
      useFactory: (
        repository: DefinitionRepository,
        validator: DefinitionValidator,
        publisher: OutboxPublisher,
      ) => new DefinitionApplier(repository, validator, () => publisher.notify()),
    },
    {
      provide: DefinitionService,
      inject: [
        DefinitionRepository,
        DefinitionHistoryRepository,
        DefinitionValidator,
        OutboxPublisher,
      ],
      useFactory: (
        repository: DefinitionRepository,
        history: DefinitionHistoryRepository,
        validator: DefinitionValidator,
        publisher: OutboxPublisher,
      ) => new DefinitionService(repository, history, validator, () => publisher.notify()),
    },
  ];
}
