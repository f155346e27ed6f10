import { type DynamicModule, Module } from '@nestjs/common';
import { ProviderService } from '@flint/provider-sdk';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { CronProvider } from './cron-provider';
import { cronTimingsFromEnv } from './cron-settings';

@Module({})
export class CronModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const timings = cronTimingsFromEnv(runtime.env);
    return {
      module: CronModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      providers: [
        {
          provide: ProviderService,
          useFactory: () =>
            new ProviderService(runtime, new CronProvider({ timings, registry: runtime.registry })),
        },
      ],
    };
  }
}
