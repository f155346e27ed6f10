import { type DynamicModule, Module } from '@nestjs/common';
import { CelEngine, triggerExpressionProblems } from '@flint/conditions';
import { DefinitionRepository } from '@flint/store';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { AdminKeyGuard } from './auth/admin-key.guard';
import { AdminKeyVerifier } from './auth/api-key';
import { DefinitionApplier } from './definitions/definition-applier';
import { DefinitionsController } from './definitions/definitions.controller';
import { OutboxPublisher } from './outbox/outbox-publisher';

@Module({})
export class ApiModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ApiModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      controllers: [DefinitionsController],
      providers: [
        OutboxPublisher,
        AdminKeyGuard,
        {
          provide: AdminKeyVerifier,
          useValue: new AdminKeyVerifier(runtime.env.FLINT_ADMIN_API_KEY),
        },
        {
          provide: DefinitionRepository,
          useValue: new DefinitionRepository(runtime.store, {
            triggersTopic: runtime.topics.triggers,
          }),
        },
        {
          provide: DefinitionApplier,
          inject: [DefinitionRepository, OutboxPublisher],
          // A condition or mapping that does not compile is refused at save time, with its position,
          // rather than discovered by the evaluator on the first event.
          useFactory: async (repository: DefinitionRepository, publisher: OutboxPublisher) => {
            const cel = await CelEngine.create();
            return new DefinitionApplier(
              repository,
              () => publisher.notify(),
              async (trigger) => triggerExpressionProblems(cel, trigger),
            );
          },
        },
      ],
    };
  }
}
