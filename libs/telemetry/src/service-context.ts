import { type Context, context, createContextKey } from '@opentelemetry/api';

const SERVICE = createContextKey('flint service');

/**
 * Runs `work` as the work of one service: every span started inside it, and inside anything it sets
 * going (consumer loops, timers, the HTTP server's requests), carries that service's `service.name`.
 * The local stack runs all services in one process; this is how each keeps its own name there.
 */
export function asService<T>(serviceName: string, work: () => T): T {
  return context.with(context.active().setValue(SERVICE, serviceName), work);
}

/** The service whose work `ctx` belongs to, if `asService` set one. */
export function serviceOf(ctx: Context): string | undefined {
  const value = ctx.getValue(SERVICE);
  return typeof value === 'string' ? value : undefined;
}
