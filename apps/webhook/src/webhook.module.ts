import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class WebhookModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: WebhookModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
