import { type DynamicModule, Module } from '@nestjs/common';
import { ProviderService, providerSecrets } from '@flint/provider-sdk';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { HostLimiter } from './http/host-limiter';
import { PollerProvider } from './poller-provider';
import { pollerSettingsFromEnv } from './poller-settings';

@Module({})
export class PollerModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = pollerSettingsFromEnv(runtime.env);
    const provider = new PollerProvider({
      limiter: new HostLimiter(settings.maxConcurrencyPerHost),
      maxPagesPerPoll: settings.maxPagesPerPoll,
    });
    return {
      module: PollerModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      providers: [
        {
          provide: ProviderService,
          useFactory: () =>
            new ProviderService(runtime, provider, { secrets: providerSecrets(runtime) }),
        },
      ],
    };
  }
}
