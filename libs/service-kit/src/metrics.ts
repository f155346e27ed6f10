import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per service rather than prom-client's global one: the local stack runs all seven services
 * in one process, and each `/metrics` must show only its own service.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'flint_service_info',
    help: 'Always 1; labels identify the Flint service and its version.',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: process.env.npm_package_version ?? 'dev' }, 1);
  return registry;
}
