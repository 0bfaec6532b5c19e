import express from 'express';
import { createOpsRouter, type ReadinessCheck } from './health';
import { errorResponder, notFound, type ErrorResponderOptions } from './http-error';
import { startHttpServer, type RunningHttpServer } from './http-server';
import { requestContext } from './request-context';
import type { ServiceRuntime } from './runtime';

interface ServeOptions {
  port: number;
  host?: string;
  /** How long in-flight requests may finish at stop before their sockets are cut (default 10 s). */
  closeGraceMs?: number;
  /** Adds the JSON 404 and the error responder after the app's routes (default true). */
  errors?: false | ErrorResponderOptions;
}

/**
 * The skeleton every service's start function fills in: what it opens is registered with `onStop`,
 * and `stop` closes it in reverse order (what started last stops first), once, even if called twice
 * (tests, then the shutdown signal). A failing step is logged and the steps after it still run.
 */
interface ServiceShell {
  readonly runtime: ServiceRuntime;
  onStop(name: string, close: () => unknown): void;
  /** An Express app with the common parts: no x-powered-by, no ETag, request id + logger, ops routes. */
  app(checks: ReadinessCheck[]): express.Express;
  /** Listens with `app` (then its close is the next stop step); adds the JSON 404 and error answers. */
  serve(app: express.Express, options: ServeOptions): Promise<RunningHttpServer>;
  stop(): Promise<void>;
}

export function createServiceShell(runtime: ServiceRuntime): ServiceShell {
  const { logger, registry, shutdown } = runtime;
  const steps: { name: string; close: () => unknown }[] = [];
  let stopped: Promise<void> | undefined;

  const shell: ServiceShell = {
    runtime,
    onStop(name, close) {
      steps.push({ name, close });
    },
    app(checks) {
      const app = express();
      app.disable('x-powered-by');
      // No ETag: API answers are not revalidated, and hashing every body is CPU spent for nothing.
      app.set('etag', false);
      app.use(requestContext(logger));
      app.use(createOpsRouter({ registry, checks, isShuttingDown: () => shutdown.isShuttingDown }));
      return app;
    },
    async serve(app, { port, host, closeGraceMs, errors = {} }) {
      if (errors) app.use(notFound(), errorResponder(errors));
      const http = await startHttpServer(app, { port, host });
      shell.onStop('http', () => http.close(closeGraceMs));
      return http;
    },
    stop() {
      return (stopped ??= (async () => {
        let failure: unknown;
        for (const step of [...steps].reverse()) {
          try {
            await step.close();
          } catch (error) {
            failure ??= error;
            logger.error({ step: step.name, err: error }, 'stop step failed');
          }
        }
        if (failure) throw failure;
      })());
    },
  };
  shutdown.register(runtime.service, () => shell.stop());
  return shell;
}
