import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class RunnerModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: RunnerModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
