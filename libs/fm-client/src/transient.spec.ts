import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAwsClients, type AwsClients } from '@manga-assist/aws-clients';
import { startBedrockEmulator, type BedrockEmulator } from '@manga-assist/bedrock-emulator';
import { Registry } from '@manga-assist/service-runtime';
import { createFmClient } from './client';
import { FmError } from './errors';
import { isConnectionReset } from './transient';

/**
 * An HTTP hop in front of the emulator that drops every `dropEvery`-th request of a connection
 * without answering (what a client sees when it reuses a keep-alive socket the server is closing:
 * "socket hang up", ECONNRESET).
 */
async function startDroppingProxy(target: string, shouldDrop: (nthOnSocket: number) => boolean) {
  const counts = new WeakMap<Socket, number>();
  let dropped = 0;
  const server: Server = createServer((req, res) => {
    const n = (counts.get(req.socket) ?? 0) + 1;
    counts.set(req.socket, n);
    if (shouldDrop(n)) {
      dropped++;
      req.socket.destroy();
      return;
    }
    const upstream = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropped: () => dropped,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const metric = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

describe('connection resets', () => {
  let emulator: BedrockEmulator;
  beforeAll(async () => {
    emulator = await startBedrockEmulator({ port: 0, profile: 'zero' });
  });
  afterAll(() => emulator.stop());

  const setup = async (shouldDrop: (n: number) => boolean) => {
    const proxy = await startDroppingProxy(emulator.url, shouldDrop);
    // maxAttempts 1, as the enrichment worker runs: no SDK retry hides the reset.
    const aws: AwsClients = createAwsClients(
      { region: 'us-east-1', endpoints: { bedrock: proxy.url }, maxSockets: 1 },
      { bedrockMaxAttempts: 1 },
    );
    const registry = new Registry();
    const warnings: unknown[] = [];
    const fm = createFmClient({
      bedrock: aws.bedrock,
      metrics: registry,
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 },
      logger: { warn: (o) => warnings.push(o), info: () => undefined, debug: () => undefined },
    });
    return {
      proxy,
      aws,
      registry,
      fm,
      warnings,
      stop: async () => {
        await fm.close();
        aws.destroy();
        await proxy.stop();
      },
    };
  };
  const ask = { model: 'haiku', messages: [{ role: 'user' as const, content: 'おすすめの漫画は?' }] };

  it('sends a request lost on a reused keep-alive socket again at once, without counting a model failure', async () => {
    let droppedOnce = false;
    const s = await setup((n) => (n === 2 && !droppedOnce ? (droppedOnce = true) : false));
    try {
      await s.fm.invoke(ask, { cache: false });
      const second = await s.fm.invoke(ask, { cache: false }); // reuses the socket: dropped, then sent again
      expect(second.text.length).toBeGreaterThan(0);
      expect(s.proxy.dropped()).toBe(1);
      expect(await metric(s.registry, 'fm_transient_retries_total')).toBe(1);
      // A breaker with threshold 1 would have opened on a counted failure: a third call still goes through.
      await s.fm.invoke(ask, { cache: false });
      expect(s.warnings).toEqual([
        expect.objectContaining({
          operation: 'invoke',
          attempt: 1,
          cause: expect.stringMatching(/socket hang up|ECONNRESET/),
        }),
      ]);
    } finally {
      await s.stop();
    }
  });

  it('gives up after two resends and reports one model error, not throttling', async () => {
    const s = await setup(() => true);
    try {
      const error = await s.fm.invoke(ask, { cache: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FmError);
      expect((error as FmError).code).toBe('MODEL_ERROR');
      expect(s.proxy.dropped()).toBe(3);
      expect(await metric(s.registry, 'fm_transient_retries_total')).toBe(2);
    } finally {
      await s.stop();
    }
  });

  it('recognises resets by code, message or cause, and nothing else', () => {
    expect(isConnectionReset(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionReset(new Error('socket hang up'))).toBe(true);
    expect(
      isConnectionReset(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'EPIPE' }) })),
    ).toBe(true);
    expect(
      isConnectionReset(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
    ).toBe(false);
    expect(
      isConnectionReset(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
  });
});
