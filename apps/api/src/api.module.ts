import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { AccessModule } from './auth/access.module';
import { backtestControllers, backtestProviders } from './backtest/backtest.providers';
import { consoleControllers, consoleProviders } from './console/console.providers';
import { deadLetterControllers, deadLetterProviders } from './dead-letters/dead-letters.providers';
import { definitionControllers, definitionProviders } from './definitions/definition-providers';
import {
  eventArchiveControllers,
  eventArchiveProviders,
} from './event-archive/event-archive.providers';
import { DocsController } from './openapi/docs.controller';
import { OutboxPublisher } from './outbox/outbox-publisher';
import {
  pollHistoryControllers,
  pollHistoryProviders,
} from './poll-history/poll-history.providers';
import { historyControllers, historyProviders } from './runs/history.providers';
import { scheduleControllers, scheduleProviders } from './schedules/schedules.providers';

@Module({})
export class ApiModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ApiModule,
      imports: [ServiceKitModule.forRuntime(runtime), AccessModule.forRuntime(runtime)],
      controllers: [
        ...definitionControllers,
        ...historyControllers,
        ...consoleControllers,
        ...pollHistoryControllers,
        ...eventArchiveControllers,
        ...deadLetterControllers,
        ...scheduleControllers,
        ...backtestControllers,
        DocsController,
      ],
      providers: [
        OutboxPublisher,
        ...definitionProviders(runtime),
        ...historyProviders(runtime),
        ...consoleProviders(runtime),
        ...pollHistoryProviders(runtime),
        ...eventArchiveProviders(runtime),
        ...deadLetterProviders(runtime),
        ...scheduleProviders(runtime),
        ...backtestProviders(runtime),
      ],
    };
  }
}
