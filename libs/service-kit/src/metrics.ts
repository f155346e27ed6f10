import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * One registry per service rather than prom-client's global one: the local stack runs every service
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

/**
 * The counter `name` of `registry`, registered by whichever part of the service asks first: several
 * parts (each source kind's runtime, say) count into one series set, and the registry refuses a name
 * registered twice.
 */
export function sharedCounter<Label extends string>(
  registry: Registry,
  configuration: Omit<CounterConfiguration<Label>, 'registers'>,
): Counter<Label> {
  const existing = registry.getSingleMetric(configuration.name);
  if (existing) return existing as Counter<Label>;
  return new Counter({ ...configuration, registers: [registry] });
}

/** The gauge `name` of `registry`, registered by whichever part of the service asks first. */
export function sharedGauge<Label extends string>(
  registry: Registry,
  configuration: Omit<GaugeConfiguration<Label>, 'registers'>,
): Gauge<Label> {
  const existing = registry.getSingleMetric(configuration.name);
  if (existing) return existing as Gauge<Label>;
  return new Gauge({ ...configuration, registers: [registry] });
}
