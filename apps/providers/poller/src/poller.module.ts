import { type DynamicModule, Module } from '@nestjs/common';
import { providerServiceModule } from '@flint/provider-sdk';
import { type ServiceRuntime, serviceLog } from '@flint/service-kit';
import { loadUserDefinitions } from '@flint/user-code';
import { FunctionSourceProvider } from './function/function-source';
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
    });
    return providerServiceModule({
      module: PollerModule,
      runtime,
      service: 'poller',
      kinds: {
        poller,
        function: new FunctionSourceProvider(pollFunctions(settings.functionsDir, runtime)),
      },
    });
  }
}

/**
 * The poll functions of FLINT_FUNCTIONS_DIR, loaded once at start (a changed file is picked up by a
 * restart): a module that cannot be loaded, exports no poll function or reuses a name fails the boot,
 * naming the file. Each source runs its function in a worker thread that loads the module again.
 */
function pollFunctions(folder: string | undefined, runtime: ServiceRuntime) {
  if (folder === undefined) return [];
  const loaded = loadUserDefinitions('poll function', 'FLINT_FUNCTIONS_DIR', folder);
  const log = serviceLog(runtime.logger, 'poller');
  for (const { value, file } of loaded) {
    log('info', 'poll function loaded', { function: value.name, file });
  }
  return loaded;
}
