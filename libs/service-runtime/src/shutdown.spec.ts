import { createLogger } from './logger';
import { startHttpServer } from './http-server';
import { createShutdown } from './shutdown';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('shutdown', () => {
  it('runs hooks once, last registered first, and resolves 0', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ logger });
    shutdown.register('clients', () => {
      order.push('clients');
    });
    shutdown.register('http', async () => {
      order.push('http');
    });
    const [a, b] = await Promise.all([shutdown.trigger('SIGTERM'), shutdown.trigger('SIGINT')]);
    expect([a, b]).toEqual([0, 0]);
    expect(order).toEqual(['http', 'clients']);
    expect(shutdown.isShuttingDown).toBe(true);
  });

  it('reports 1 when a hook fails but still runs the others', async () => {
    const ran: string[] = [];
    const shutdown = createShutdown({ logger });
    shutdown.register('a', () => {
      ran.push('a');
    });
    shutdown.register('b', () => {
      throw new Error('boom');
    });
    expect(await shutdown.trigger('SIGTERM')).toBe(1);
    expect(ran).toEqual(['a']);
  });

  it('gives up after the bound when a hook hangs', async () => {
    const shutdown = createShutdown({ logger, timeoutMs: 50 });
    shutdown.register('stuck', () => new Promise<void>(() => undefined));
    expect(await shutdown.trigger('SIGTERM')).toBe(1);
  });
});

describe('http server close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let release: () => void = () => undefined;
    const http = await startHttpServer(
      (_req, res) => {
        release = () => res.end('done');
      },
      { host: '127.0.0.1' },
    );
    const inFlight = fetch(`${http.url}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const closing = http.close(5000);
    release();
    expect(await inFlight).toBe('done');
    await closing;
    await expect(fetch(`${http.url}/slow`)).rejects.toThrow();
  });

  it('cuts connections that outlive the grace period', async () => {
    const http = await startHttpServer(() => undefined, { host: '127.0.0.1' });
    const hanging = fetch(`${http.url}/never`).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 50));
    await http.close(100);
    expect(await hanging).toBe('fetch failed');
  });
});
