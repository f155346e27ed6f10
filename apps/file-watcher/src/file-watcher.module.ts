import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class FileWatcherModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: FileWatcherModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
