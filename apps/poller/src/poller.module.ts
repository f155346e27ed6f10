import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class PollerModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: PollerModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
