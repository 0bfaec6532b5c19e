import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

export { Registry, Counter, Gauge, Histogram };

/** One Prometheus registry per service instance, with Node's default metrics and a service label. */
export function createMetricsRegistry(service: string, { defaults = true } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaults) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Returns the metric already registered under `name`, or registers a new one. Lets libs that are
 * instantiated more than once against one registry (e.g. in tests) share their metrics.
 */
export function getOrCreateMetric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
