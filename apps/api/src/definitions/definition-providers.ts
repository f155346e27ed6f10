import type { Provider, Type } from '@nestjs/common';
import { CelEngine, definitionExpressionProblems } from '@flint/conditions';
import type { ServiceRuntime } from '@flint/service-kit';
import { DefinitionHistoryRepository } from './definition-history';
import { DefinitionRepository } from './definition-repository';
import { OutboxPublisher } from '../outbox/outbox-publisher';
import { DefinitionApplier } from './definition-applier';
import { SourcesController, TriggersController } from './definition-resources.controller';
import { DefinitionService } from './definition-service';
import { DefinitionValidator } from './definition-validator';
import { DefinitionsController } from './definitions.controller';

export const definitionControllers: Type[] = [
  DefinitionsController,
  SourcesController,
  TriggersController,
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
    {
      provide: DefinitionValidator,
      inject: [DefinitionRepository],
      // A condition or mapping that does not compile is refused at save time, with its position,
      // rather than discovered by the evaluator on the first event.
      useFactory: async (repository: DefinitionRepository) => {
        const cel = await CelEngine.create();
        return new DefinitionValidator(
          async (definition) => definitionExpressionProblems(cel, definition),
          async (id) => (await repository.get('source', id)) !== undefined,
        );
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
