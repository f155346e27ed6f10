import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ProviderService, providerSecrets } from '@flint/provider-sdk';
import { type ServiceRuntime, ServiceKitModule } from '@flint/service-kit';
import type { FastifyInstance } from 'fastify';
import { installWebhookRoutes } from './webhook-http';
import { WebhookProvider } from './webhook-provider';
import { WebhookRouter } from './webhook-router';
import { webhookSettingsFromEnv } from './webhook-settings';

/** Adds the `/hooks/*` routes to the service's Fastify instance before it listens. */
@Injectable()
class WebhookRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(WebhookRouter) private readonly router: WebhookRouter,
    @Inject(ProviderService) private readonly providers: ProviderService<'webhook'>,
  ) {}

  onModuleInit(): void {
    installWebhookRoutes(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), {
      router: this.router,
      isReady: () => this.providers.isReady,
    });
  }
}

@Module({})
export class WebhookModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const router = new WebhookRouter();
    const provider = new WebhookProvider(router, webhookSettingsFromEnv(runtime.env));
    return {
      module: WebhookModule,
      imports: [ServiceKitModule.forRuntime(runtime)],
      providers: [
        { provide: WebhookRouter, useValue: router },
        {
          provide: ProviderService,
          useFactory: () =>
            new ProviderService(runtime, provider, { secrets: providerSecrets(runtime) }),
        },
        WebhookRoutes,
      ],
    };
  }
}
