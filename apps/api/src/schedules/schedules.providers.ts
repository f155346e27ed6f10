import type { Provider, Type } from '@nestjs/common';
import { CronSlotRepository } from '@flint/store';
import type { ServiceRuntime } from '@flint/service-kit';
import { DefinitionRepository } from '../definitions/definition-repository';
import { KafkaPublisher } from '../events/kafka-publisher';
import { ScheduleControl } from './schedule-control';
import { SchedulesController } from './schedules.controller';

export const scheduleControllers: Type[] = [SchedulesController];

/** KafkaPublisher and DefinitionRepository come from the history and definitions areas. */
export function scheduleProviders(runtime: ServiceRuntime): Provider[] {
  return [
    {
      provide: ScheduleControl,
      inject: [DefinitionRepository, KafkaPublisher],
      useFactory: (definitions: DefinitionRepository, publisher: KafkaPublisher) =>
        new ScheduleControl(definitions, new CronSlotRepository(runtime.store), publisher),
    },
  ];
}
