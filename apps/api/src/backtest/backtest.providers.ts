import type { Provider, Type } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import type { ServiceRuntime } from '@flint/service-kit';
import { EventArchiveRepository, RunHistoryRepository } from '@flint/store';
import { DefinitionRepository } from '../definitions/definition-repository';
import { TestFire } from '../test-fire/test-fire';
import { BacktestController } from './backtest.controller';
import { TriggerBacktest } from './trigger-backtest';

export const backtestControllers: Type[] = [BacktestController];

export function backtestProviders(runtime: ServiceRuntime): Provider[] {
  return [
    {
      provide: TriggerBacktest,
      inject: [DefinitionRepository, TestFire],
      // The CEL library is an ES module, loaded asynchronously once; Nest awaits the factory.
      useFactory: async (definitions: DefinitionRepository, testFire: TestFire) =>
        new TriggerBacktest(
          await CelEngine.create(),
          new EventArchiveRepository(runtime.store),
          new RunHistoryRepository(runtime.store),
          definitions,
          testFire,
        ),
    },
  ];
}
