import { type DynamicModule, Module } from '@nestjs/common';
import { providerServiceModule } from '@flint/provider-sdk';
import type { ServiceRuntime } from '@flint/service-kit';
import { FileWatcherProvider } from './file-watcher-provider';
import { fileWatcherSettingsFromEnv } from './file-watcher-settings';

@Module({})
export class FileWatcherModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = fileWatcherSettingsFromEnv(runtime.env);
    return providerServiceModule({
      module: FileWatcherModule,
      runtime,
      service: 'file-watcher',
      kinds: { file: new FileWatcherProvider(settings) },
    });
  }
}
