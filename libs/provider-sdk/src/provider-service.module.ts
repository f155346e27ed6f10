import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { ProviderServiceName } from '@flint/contracts';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import { ProviderService, type SourceKindImplementations } from './provider-service';

export interface ProviderServiceModuleOptions<S extends ProviderServiceName> {
  /** The service's root module class. */
  module: Type;
  runtime: ServiceRuntime;
  /** Which service this is; the kinds must be those the registry assigns to it. */
  service: S;
  kinds: SourceKindImplementations<S>;
  /** What the service adds besides its sources (the webhook's HTTP routes). */
  providers?: Provider[];
}

/** The root module of a provider service: the service kit and a `ProviderService` running its kinds. */
export function providerServiceModule<S extends ProviderServiceName>(
  options: ProviderServiceModuleOptions<S>,
): DynamicModule {
  const { runtime } = options;
  if (runtime.config.service !== options.service) {
    throw new Error(
      `the ${options.service} module was given the runtime of ${runtime.config.service}`,
    );
  }
  return {
    module: options.module,
    imports: [ServiceKitModule.forRuntime(runtime)],
    providers: [
      { provide: ProviderService, useFactory: () => new ProviderService(runtime, options.kinds) },
      ...(options.providers ?? []),
    ],
  };
}
