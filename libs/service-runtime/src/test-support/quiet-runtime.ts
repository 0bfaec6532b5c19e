import { createLogger } from '../logger';
import { createServiceRuntime, type ServiceRuntime } from '../runtime';

/** A runtime for tests of the service skeleton: no logs, no default metrics, no process exit. */
export function quietRuntime(service: string): ServiceRuntime {
  return createServiceRuntime({
    service,
    logger: createLogger({ service, level: 'silent' }),
    defaultMetrics: false,
    exit: () => undefined,
  });
}
