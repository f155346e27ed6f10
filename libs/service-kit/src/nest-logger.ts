import { context as traceContext } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import { serviceOf } from '@flint/telemetry';
import type { Logger } from 'pino';

/**
 * Nest's own start-up chatter (every module initialised, every route mapped): debug, so a start
 * shows what Flint says rather than a page of framework lines.
 */
const START_UP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/**
 * The logger of each service of this process by its trace name (`flint-<service>`). Nest keeps one
 * logger for the whole process (`app.useLogger` replaces it for every app), so with several
 * services in one process (the local stack) the last one started would write every app's messages
 * under its own name; each message goes to the logger of the service whose work is running instead.
 */
const serviceLoggers = new Map<string, Logger>();

/**
 * Nest's messages through the service's own logger, so they carry the service's name and format
 * (JSON or pretty) like every other line. Nest passes the context (the class that logs) last.
 * `serviceName`: the service's trace name, as `asService` marks its work; a message written while
 * another service's work runs goes to that service's logger.
 */
export class NestLogger implements LoggerService {
  constructor(
    private readonly logger: Logger,
    private readonly serviceName?: string,
  ) {
    if (serviceName !== undefined) serviceLoggers.set(serviceName, logger);
  }

  /** The service stopped: its messages no longer have a logger of their own. */
  release(): void {
    if (this.serviceName !== undefined && serviceLoggers.get(this.serviceName) === this.logger) {
      serviceLoggers.delete(this.serviceName);
    }
  }

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(START_UP_CONTEXTS.has(context ?? '') ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack, context) for errors.
    const context = contextOf(rest);
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    this.write('error', message, context, stack === undefined ? {} : { stack });
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, contextOf(rest));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, contextOf(rest));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, contextOf(rest));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, contextOf(rest));
  }

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    context: string | undefined,
    fields: Record<string, unknown> = {},
  ): void {
    const text = message instanceof Error ? message.message : String(message);
    const running = serviceOf(traceContext.active());
    const logger = (running === undefined ? undefined : serviceLoggers.get(running)) ?? this.logger;
    logger[level]({ ...fields, ...(context === undefined ? {} : { context }) }, text);
  }
}

function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}
