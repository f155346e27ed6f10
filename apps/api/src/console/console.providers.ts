import { Injectable, type Provider, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServiceRuntime } from '@flint/service-kit';
import {
  ActivityRepository,
  DeadLetterRepository,
  RunHistoryRepository,
  SourceStatusRepository,
} from '@flint/store';
import { DefinitionRepository } from '../definitions/definition-repository';
import type { FastifyInstance } from 'fastify';
import { ConsoleAssets } from './console-assets';
import { ConsoleLoginLinks } from './console-login';
import { consoleConfigFromEnv } from './console-settings';
import { CONSOLE_CONFIG } from './console.constants';
import { ConsoleController } from './console.controller';
import { OverviewReader } from './overview';
import { OverviewController } from './overview.controller';

/**
 * Serves the built console at `/` and its client-side routes. Registered while providers are
 * created, before Nest adds its own routes; Fastify prefers those (static and parametric paths)
 * over the console's catch-all whatever the order.
 */
@Injectable()
class ConsoleRoutes {
  constructor(adapterHost: HttpAdapterHost, assets: ConsoleAssets) {
    assets.register(adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}

/** The console's own routes: who am I, settings, login links, and the aggregates it lists with. */
export const consoleControllers: Type[] = [ConsoleController, OverviewController];

export function consoleProviders(runtime: ServiceRuntime): Provider[] {
  const config = consoleConfigFromEnv(runtime.env);
  const assets = new ConsoleAssets(config.dir);
  if (!assets.built) {
    runtime.logger.warn(
      { dir: config.dir },
      'the web console is not built (run "npm run build"); / answers 503',
    );
  }
  return [
    { provide: CONSOLE_CONFIG, useValue: config },
    { provide: ConsoleAssets, useValue: assets },
    { provide: ConsoleLoginLinks, useValue: new ConsoleLoginLinks() },
    ConsoleRoutes,
    {
      provide: OverviewReader,
      inject: [DefinitionRepository],
      useFactory: (definitions: DefinitionRepository) =>
        new OverviewReader({
          definitions,
          activity: new ActivityRepository(runtime.store),
          runs: new RunHistoryRepository(runtime.store),
          statuses: new SourceStatusRepository(runtime.store),
          deadLetters: new DeadLetterRepository(runtime.store),
        }),
    },
  ];
}
