import type { DynamicModule } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { startService } from './bootstrap';
import type { ServiceName } from './service-config';
import type { ServiceRuntime } from './service-runtime';

/** The whole of a service's `main.ts`: boot, or log why not and exit non-zero. */
export function runServiceMain(
  service: ServiceName,
  buildModule: (runtime: ServiceRuntime) => DynamicModule,
): void {
  const logger = new Logger(service);
  startService(service, buildModule).then(
    (running) => logger.log(`listening on ${running.url}`),
    (err: unknown) => {
      logger.error(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
