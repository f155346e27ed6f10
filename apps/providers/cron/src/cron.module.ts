import { type DynamicModule, Module } from '@nestjs/common';
import { providerServiceModule } from '@flint/provider-sdk';
import type { ServiceRuntime } from '@flint/service-kit';
import { CronProvider } from './cron-provider';
import { cronTimingsFromEnv } from './cron-settings';

@Module({})
export class CronModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const timings = cronTimingsFromEnv(runtime.env);
    return providerServiceModule({
      module: CronModule,
      runtime,
      service: 'cron',
      kinds: { cron: new CronProvider({ timings, registry: runtime.registry }) },
    });
  }
}
