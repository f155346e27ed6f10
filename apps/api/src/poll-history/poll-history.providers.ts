import type { Provider } from '@nestjs/common';
import type { ServiceRuntime } from '@flint/service-kit';
import { PollHistoryRepository } from '@flint/store';
import { PollHistoryController } from './poll-history.controller';

export const pollHistoryControllers = [PollHistoryController];

export function pollHistoryProviders(runtime: ServiceRuntime): Provider[] {
  return [{ provide: PollHistoryRepository, useValue: new PollHistoryRepository(runtime.store) }];
}
