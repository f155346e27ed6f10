import { type DynamicModule, Module } from '@nestjs/common';
import { providerServiceModule } from '@flint/provider-sdk';
import type { ServiceRuntime } from '@flint/service-kit';
import { HostLimiter } from './http/host-limiter';
import { PollerProvider } from './poller-provider';
import { pollerSettingsFromEnv } from './poller-settings';

@Module({})
export class PollerModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = pollerSettingsFromEnv(runtime.env);
    const poller = new PollerProvider({
      limiter: new HostLimiter(settings.maxConcurrencyPerHost),
      maxPagesPerPoll: settings.maxPagesPerPoll,
      egress: settings.egress,
    });
    return providerServiceModule({
      module: PollerModule,
      runtime,
      service: 'poller',
      kinds: { poller },
    });
  }
}
