import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';

@Module({})
export class EvaluatorModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return { module: EvaluatorModule, imports: [ServiceKitModule.forRuntime(runtime)] };
  }
}
