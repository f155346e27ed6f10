import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants';
import { HealthController, MetricsController } from '@flint/service-kit';

type Controller = abstract new (...args: never[]) => object;

/** The path Nest serves a controller method on, read from the decorators the service kit wrote. */
function routeOf(controller: Controller, method: string): string {
  const handler = (controller.prototype as Record<string, unknown>)[method];
  if (typeof handler !== 'function') {
    throw new Error(`${controller.name} has no method ${method}; the probe paths moved`);
  }
  const parts = [
    Reflect.getMetadata(PATH_METADATA, controller) as string,
    Reflect.getMetadata(PATH_METADATA, handler) as string,
  ];
  return `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/')}`;
}

/** What every Flint service answers, whatever its port (libs/service-kit). */
export const SERVED = {
  readiness: routeOf(HealthController, 'ready'),
  liveness: routeOf(HealthController, 'live'),
  metrics: routeOf(MetricsController, 'metrics'),
};
