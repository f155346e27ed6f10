import type { Provider, Type } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import type { ServiceRuntime } from '@flint/service-kit';
import { EventArchiveRepository } from '@flint/store';
import { EventArchive } from './event-archive';
import { EventArchiveController } from './event-archive.controller';

export const eventArchiveControllers: Type[] = [EventArchiveController];

export function eventArchiveProviders(runtime: ServiceRuntime): Provider[] {
  const repository = new EventArchiveRepository(runtime.store);
  return [
    { provide: EventArchiveRepository, useValue: repository },
    {
      provide: EventArchive,
      // The CEL library is an ES module, loaded asynchronously once; Nest awaits the factory.
      useFactory: async () => new EventArchive(repository, await CelEngine.create()),
    },
  ];
}
