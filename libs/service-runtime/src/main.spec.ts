import { ConfigError } from './config';
import { runService } from './main';
import type { ServiceRuntime } from './runtime';

function recorder() {
  const written: string[] = [];
  const exits: number[] = [];
  return {
    written,
    exits,
    hooks: {
      stderr: { write: (text: string) => written.push(text) },
      exit: (code: number): void => void exits.push(code),
    },
  };
}

/** Captures the handlers runService installs, so a test can deliver a signal without a real one. */
function signalBox() {
  const handlers = new Map<string, () => void>();
  return {
    subscribe: (signal: NodeJS.Signals, handler: () => void) => void handlers.set(signal, handler),
    send: (signal: NodeJS.Signals) => handlers.get(signal)?.(),
  };
}

const config = { LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_MS: 5_000, PORT: 0 };

describe('runService', () => {
  it('starts the service with the loaded config and a runtime built from it', async () => {
    const { hooks, written, exits } = recorder();
    let seen: { config: typeof config; runtime: ServiceRuntime } | undefined;

    await runService(
      'svc',
      () => config,
      async (deps) => void (seen = deps),
      { ...hooks, signals: [] },
    );

    expect(seen?.config).toBe(config);
    expect(seen?.runtime.service).toBe('svc');
    expect(seen?.runtime.logger.level).toBe('silent');
    expect(seen?.runtime.registry.getSingleMetric('process_cpu_seconds_total')).toBeDefined();
    expect(written).toEqual([]);
    expect(exits).toEqual([]);
  });

  it('on a shutdown signal runs the hooks the service registered, then exits 0', async () => {
    const { hooks, exits } = recorder();
    const stopped: string[] = [];
    const signals = signalBox();

    await runService(
      'svc',
      () => config,
      async ({ runtime }) => runtime.shutdown.register('server', () => void stopped.push('server')),
      { ...hooks, subscribe: signals.subscribe },
    );
    signals.send('SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));

    expect(stopped).toEqual(['server']);
    expect(exits).toEqual([0]);
  });

  it('bounds shutdown by the SHUTDOWN_TIMEOUT_MS of the config', async () => {
    const { hooks, exits } = recorder();
    const exited = new Promise<void>((resolve) => (hooks.exit = (code) => resolve(void exits.push(code))));
    const signals = signalBox();

    await runService(
      'svc',
      () => ({ ...config, SHUTDOWN_TIMEOUT_MS: 20 }),
      async ({ runtime }) => runtime.shutdown.register('stuck', () => new Promise<void>(() => undefined)),
      { ...hooks, subscribe: signals.subscribe },
    );
    signals.send('SIGINT');
    await exited;

    expect(exits).toEqual([1]);
  });

  it('prints a ConfigError as its one readable message and exits 1 without starting', async () => {
    const { hooks, written, exits } = recorder();
    const start = jest.fn(async () => undefined);

    await runService(
      'svc',
      () => {
        throw new ConfigError('svc', ['PORT: expected a number']);
      },
      start,
      hooks,
    );

    expect(written).toEqual(['svc: invalid configuration:\n  - PORT: expected a number\n']);
    expect(exits).toEqual([1]);
    expect(start).not.toHaveBeenCalled();
  });

  it('prints any other start-up failure as one fatal JSON line and exits 1', async () => {
    const { hooks, written, exits } = recorder();

    await runService(
      'svc',
      () => config,
      async () => {
        throw new Error('port in use');
      },
      { ...hooks, signals: [] },
    );

    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0])).toMatchObject({
      level: 'fatal',
      service: 'svc',
      msg: 'failed to start',
      err: { name: 'Error', message: 'port in use' },
    });
    expect(exits).toEqual([1]);
  });
});
