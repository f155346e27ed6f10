import type { LoggerService } from '@nestjs/common';

/**
 * Where Nest's start-up messages come from ("Mapped {/api/runs, GET} route", "… dependencies
 * initialized", "Nest application successfully started"): some 150 lines per start of the local
 * stack, none of them actionable.
 */
const STARTUP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/** Nest's own logger with its start-up messages moved to debug level; everything else unchanged. */
export class StartupChatterAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optional: unknown[]): void {
    // Nest passes the context last.
    if (STARTUP_CONTEXTS.has(String(optional.at(-1)))) this.inner.debug?.(message, ...optional);
    else this.inner.log(message, ...optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.inner.error(message, ...optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.inner.warn(message, ...optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.inner.debug?.(message, ...optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.inner.verbose?.(message, ...optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...optional);
  }
}
