import type { Logger } from './logger';

export type SignalSubscriber = (signal: NodeJS.Signals, handler: () => void) => void;

type ShutdownHook = { name: string; run: () => Promise<void> | void };

export interface Shutdown {
  /** Hooks run in reverse registration order: what started last stops first. */
  register(name: string, run: ShutdownHook['run']): void;
  /** Runs every hook once, bounded by the timeout; resolves with the exit code it chose. */
  trigger(reason: string): Promise<number>;
  /**
   * Installs SIGTERM/SIGINT handlers that trigger shutdown and exit the process. The handlers stay
   * installed: a repeated signal (a wrapper such as tsx or npm forwarding the terminal's Ctrl-C
   * that the process already got) joins the shutdown under way instead of killing the process.
   * `subscribe` defaults to `process.on`; tests pass their own to deliver a signal without a real one.
   */
  listen(signals?: NodeJS.Signals[], subscribe?: SignalSubscriber): void;
  readonly isShuttingDown: boolean;
}

interface ShutdownOptions {
  logger: Logger;
  timeoutMs?: number;
  exit?: (code: number) => void;
}

export function createShutdown({
  logger,
  timeoutMs = 15_000,
  exit = (c) => process.exit(c),
}: ShutdownOptions): Shutdown {
  const hooks: ShutdownHook[] = [];
  let running: Promise<number> | undefined;

  async function runHooks(): Promise<number> {
    let code = 0;
    for (const hook of [...hooks].reverse()) {
      try {
        await hook.run();
        logger.debug({ hook: hook.name }, 'shutdown hook done');
      } catch (error) {
        code = 1;
        logger.error({ hook: hook.name, err: error }, 'shutdown hook failed');
      }
    }
    return code;
  }

  const shutdown: Shutdown = {
    register(name, run) {
      hooks.push({ name, run });
    },
    trigger(reason) {
      if (running) return running;
      logger.info({ reason, timeoutMs }, 'shutting down');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          logger.error({ timeoutMs }, 'shutdown timed out; exiting with in-flight work abandoned');
          resolve(1);
        }, timeoutMs);
        timer.unref();
      });
      running = Promise.race([runHooks(), deadline]).finally(() => clearTimeout(timer));
      return running;
    },
    listen(
      signals = ['SIGTERM', 'SIGINT'],
      subscribe = (signal, handler) => void process.on(signal, handler),
    ) {
      for (const signal of signals) {
        subscribe(signal, () => {
          void shutdown.trigger(signal).then((code) => {
            logger.info({ code }, 'stopped');
            logger.flush?.();
            exit(code);
          });
        });
      }
    },
    get isShuttingDown() {
      return running !== undefined;
    },
  };
  return shutdown;
}
