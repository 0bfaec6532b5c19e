import type { Registry } from 'prom-client';
import { createLogger, type Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { createShutdown, type Shutdown } from './shutdown';

export interface ServiceRuntime {
  service: string;
  logger: Logger;
  registry: Registry;
  shutdown: Shutdown;
}

interface ServiceRuntimeOptions {
  service: string;
  logLevel?: string;
  shutdownTimeoutMs?: number;
  /** Tests pass their own logger (e.g. level 'silent') and a no-op exit. */
  logger?: Logger;
  exit?: (code: number) => void;
  defaultMetrics?: boolean;
}

/** The pieces every service starts with: a JSON logger, a metrics registry and a shutdown coordinator. */
export function createServiceRuntime(options: ServiceRuntimeOptions): ServiceRuntime {
  const logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
  return {
    service: options.service,
    logger,
    registry: createMetricsRegistry(options.service, { defaults: options.defaultMetrics ?? true }),
    shutdown: createShutdown({ logger, timeoutMs: options.shutdownTimeoutMs, exit: options.exit }),
  };
}
