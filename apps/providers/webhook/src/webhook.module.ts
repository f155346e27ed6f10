import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ProviderService, providerServiceModule } from '@flint/provider-sdk';
import type { ServiceRuntime } from '@flint/service-kit';
import type { FastifyInstance } from 'fastify';
import { serveWebhooks } from './webhook-http';
import { WebhookProvider } from './webhook-provider';
import { WebhookRouter } from './webhook-router';
import { webhookSettingsFromEnv } from './webhook-settings';

/** Serves `/hooks/*` on the service's HTTP server before it listens. */
@Injectable()
class WebhookRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(WebhookRouter) private readonly router: WebhookRouter,
    @Inject(ProviderService) private readonly providers: ProviderService,
  ) {}

  onModuleInit(): void {
    serveWebhooks(this.adapterHost.httpAdapter.getInstance<FastifyInstance>().server, {
      router: this.router,
      isReady: () => this.providers.isReady,
    });
  }
}

@Module({})
export class WebhookModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const router = new WebhookRouter();
    return providerServiceModule({
      module: WebhookModule,
      runtime,
      service: 'webhook',
      kinds: { webhook: new WebhookProvider(router, webhookSettingsFromEnv(runtime.env)) },
      providers: [{ provide: WebhookRouter, useValue: router }, WebhookRoutes],
    });
  }
}
