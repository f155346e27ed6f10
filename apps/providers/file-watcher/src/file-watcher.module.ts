import { type DynamicModule, Module } from '@nestjs/common';
import { ProviderService } from '@flint/provider-sdk';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { FileWatcherProvider } from './file-watcher-provider';
import { fileWatcherSettingsFromEnv } from './file-watcher-settings';

@Module({})
export class FileWatcherModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = fileWatcherSettingsFromEnv(runtime.env);
    return {
      module: FileWatcherModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      providers: [
        {
          provide: ProviderService,
          useFactory: () => new ProviderService(runtime, new FileWatcherProvider(settings)),
        },
      ],
    };
  }
}
