import { type DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import {
  HEALTH_REPORTER,
  KAFKA,
  METRICS_REGISTRY,
  SERVICE_RUNTIME,
  STORE,
  TOPICS,
} from './constants';
import { HealthReporter } from './health-check';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import type { ServiceRuntime } from './service-runtime';

/** Gives every service `/health`, `/health/live`, `/metrics` and injection tokens for its runtime parts. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const providers = [
      { provide: SERVICE_RUNTIME, useValue: runtime },
      { provide: KAFKA, useValue: runtime.kafka },
      { provide: STORE, useValue: runtime.store },
      { provide: TOPICS, useValue: runtime.topics },
      { provide: METRICS_REGISTRY, useValue: runtime.registry },
      {
        provide: HEALTH_REPORTER,
        useValue: new HealthReporter(runtime.config.service, runtime.healthChecks),
      },
    ];
    return {
      module: ServiceKitModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger: runtime.logger, autoLogging: false, quietReqLogger: true },
          // Webhook calls log through their source; a request logger per call (a pino child with
          // the request serialised and redacted) cost about a tenth of the webhook's CPU.
          exclude: [{ method: RequestMethod.ALL, path: 'hooks/{*path}' }],
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
