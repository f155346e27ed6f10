import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class CronModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: CronModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
