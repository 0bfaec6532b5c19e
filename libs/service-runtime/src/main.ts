import { ConfigError } from './config';

/**
 * Entry-point wrapper for a service's main.ts: a ConfigError prints its one readable message and
 * exits 1; any other start-up failure is printed as a JSON line and exits 1.
 */
export function runMain(service: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      const err =
        error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error;
      process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'failed to start', err })}\n`);
    }
    process.exit(1);
  });
}
