import { ConfigError } from './config';
import { createServiceRuntime, type ServiceRuntime } from './runtime';
import type { SignalSubscriber } from './shutdown';
import { tracingSettingsFromEnv } from './tracing/settings';
import { startTracing } from './tracing/tracing';
import { emfSettingsFromEnv, startEmfExporter } from './emf';

/** Process hooks, injectable so tests can observe the outcome without exiting or writing to stderr. */
interface MainHooks {
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => void;
}

/**
 * Entry-point wrapper for a service's main.ts: a ConfigError prints its one readable message and
 * exits 1; any other start-up failure is printed as a JSON line and exits 1. The promise settles
 * once start-up has succeeded or its failure has been reported.
 */
export function runMain(
  service: string,
  start: () => Promise<unknown>,
  { stderr = process.stderr, exit = (code) => process.exit(code) }: MainHooks = {},
): Promise<void> {
  return start().then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof ConfigError) {
        stderr.write(`${error.message}\n`);
      } else {
        const err =
          error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error;
        stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'failed to start', err })}\n`);
      }
      exit(1);
    },
  );
}

/** The settings every service's config carries for its runtime. */
interface RuntimeConfig {
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

interface RunServiceHooks extends MainHooks {
  /** Signals that trigger shutdown (default SIGTERM, SIGINT). */
  signals?: NodeJS.Signals[];
  /** How signal handlers are installed (default `process.on`). */
  subscribe?: SignalSubscriber;
}

/**
 * A service's whole main.ts: loads the config once, starts tracing when the OTEL_* environment
 * asks for it, exports metrics in CloudWatch EMF when METRICS_EMF=true, builds the runtime from it (log level, shutdown timeout), listens for the shutdown
 * signals, then starts the service — with runMain's failure reporting around all of it. `exit` is shared by start-up failures and shutdown.
 */
export function runService<C extends RuntimeConfig>(
  service: string,
  loadConfig: () => C,
  start: (deps: { config: C; runtime: ServiceRuntime }) => Promise<unknown>,
  { signals, subscribe, ...hooks }: RunServiceHooks = {},
): Promise<void> {
  return runMain(
    service,
    async () => {
      const config = loadConfig();
      // Before the runtime, so the logger it makes already stamps trace ids on every line.
      const tracing = await startTracing(tracingSettingsFromEnv(service));
      const runtime = createServiceRuntime({
        service,
        logLevel: config.LOG_LEVEL,
        shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
        exit: hooks.exit,
      });
      // Registered first so it runs last: spans of the draining work are exported too.
      if (tracing) runtime.shutdown.register('tracing', () => tracing.shutdown());
      const emf = emfSettingsFromEnv(service);
      if (emf) {
        const exporter = startEmfExporter({ registry: runtime.registry, service, ...emf });
        runtime.shutdown.register('emf-metrics', () => exporter.stop());
      }
      runtime.shutdown.listen(signals, subscribe);
      await start({ config, runtime });
    },
    hooks,
  );
}
