import { type DynamicModule, Logger } from '@nestjs/common';
import { startTelemetry } from '@flint/telemetry';
import type { ServiceName } from '@flint/contracts';
import { exitOnSignal, serviceTraceName, startService } from './bootstrap';
import type { ServiceRuntime } from './service-runtime';

/**
 * The whole of a service's `main.ts`: start tracing, boot, and drain on SIGTERM/SIGINT (flushing spans
 * last); or log why the boot failed and exit non-zero.
 */
export function runServiceMain(
  service: ServiceName,
  buildModule: (runtime: ServiceRuntime) => DynamicModule,
): void {
  const logger = new Logger(service);
  const telemetry = startTelemetry({ serviceName: serviceTraceName(service) });
  startService(service, buildModule, { handleSignals: false }).then(
    (running) => {
      exitOnSignal(
        () => running.stop().then(() => telemetry.shutdown()),
        running.runtime.config.shutdownTimeoutMs,
        logger,
      );
      logger.log(`listening on ${running.url}`);
    },
    async (err: unknown) => {
      logger.error(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
      await telemetry.shutdown();
      process.exit(1);
    },
  );
}
