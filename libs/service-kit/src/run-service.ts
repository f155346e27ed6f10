import { type DynamicModule, Logger } from '@nestjs/common';
import { startTelemetry } from '@flint/telemetry';
import type { ServiceName } from '@flint/contracts';
import { exitOnSignal, startService } from './bootstrap';
import type { ServiceRuntime } from './service-runtime';

/**
 * The whole of a service's `main.ts`: start tracing, boot, and drain on SIGTERM/SIGINT (flushing spans
 * last); or log why the boot failed and exit non-zero. Flint creates its spans by hand rather than by
 * monkey-patching libraries, so starting the SDK here, before the application is created, is early
 * enough.
 */
export function runServiceMain(
  service: ServiceName,
  buildModule: (runtime: ServiceRuntime) => DynamicModule,
): void {
  const logger = new Logger(service);
  const telemetry = startTelemetry({ serviceName: `flint-${service}` });
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
