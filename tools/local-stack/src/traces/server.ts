import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createTraceStore, decodeOtlpJson, type StoredSpan, type TraceStore } from './store';
import { renderTrace, renderTraceList } from './page';

export interface TraceCollector {
  /** Base URL: services export to `${url}/v1/traces` (OTEL_EXPORTER_OTLP_ENDPOINT=url); the page is at `/`. */
  url: string;
  port: number;
  store: TraceStore;
  /** Resolves once a trace has spans matching `until` (bounded by timeoutMs; rejects after it). */
  waitFor(
    traceId: string,
    until: (spans: StoredSpan[]) => boolean,
    timeoutMs?: number,
  ): Promise<StoredSpan[]>;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The local stand-in for the ADOT collector: an OTLP/HTTP receiver (JSON encoding, gzip or not)
 * that keeps recent traces in memory and serves a page listing them and drawing one as a waterfall.
 */
export async function startTraceCollector({
  port = 0,
  host = '127.0.0.1',
  maxTraces = 500,
}: { port?: number; host?: string; maxTraces?: number } = {}): Promise<TraceCollector> {
  const store = createTraceStore({ maxTraces });
  const waiters = new Set<() => void>();

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, 'application/json', JSON.stringify(value));

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'POST' && path === '/v1/traces') {
      if (!String(req.headers['content-type'] ?? '').includes('json')) {
        return json(res, 415, {
          error: 'only OTLP/HTTP JSON is accepted here (content-type application/json)',
        });
      }
      try {
        store.add(decodeOtlpJson(JSON.parse((await readBody(req)).toString('utf8'))));
      } catch (error) {
        const status = (error as { status?: number }).status ?? 400;
        return json(res, status, { error: (error as Error).message });
      }
      for (const wake of [...waiters]) wake();
      return json(res, 200, {});
    }
    if (req.method !== 'GET') return json(res, 405, { error: `${req.method} not supported` });
    if (path === '/' || path === '/traces')
      return send(res, 200, 'text/html; charset=utf-8', renderTraceList(store.list()));
    if (path === '/api/traces') return json(res, 200, { traces: store.list() });
    const match = /^\/(api\/)?traces\/([0-9a-fA-F]{32})$/.exec(path);
    if (match) {
      const spans = store.get(match[2]);
      if (!spans)
        return json(res, 404, { error: `no trace ${match[2]} (kept: the ${maxTraces} most recent)` });
      return match[1]
        ? json(res, 200, { traceId: match[2].toLowerCase(), spans })
        : send(res, 200, 'text/html; charset=utf-8', renderTrace(match[2].toLowerCase(), spans));
    }
    return json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    store,
    waitFor(traceId, until, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const spans = store.get(traceId);
          if (spans && until(spans)) {
            cleanup();
            resolve(spans);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          const spans = store.get(traceId) ?? [];
          reject(
            new Error(
              `trace ${traceId}: condition not met in ${timeoutMs} ms; has ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
