import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolveLanguage } from '@manga-assist/unicode-validator';
import { errorBody, httpError, type HttpError } from './http-error';
import { traceHttpRequests } from './tracing/tracing';

export interface RunningHttpServer {
  server: Server;
  port: number;
  url: string;
  /**
   * Stops accepting and closes idle keep-alive connections at once; requests in flight finish and
   * are answered with `Connection: close` (their socket closes after the answer). Resolves as soon
   * as the last connection is gone, or after `graceMs` when what is left is cut.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(
  handler: RequestListener,
  {
    port = 0,
    host = '0.0.0.0',
    keepAliveTimeoutMs = 65_000,
  }: { port?: number; host?: string; keepAliveTimeoutMs?: number } = {},
): Promise<RunningHttpServer> {
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  // With tracing on every request runs in a SERVER span (a pass-through when it is off).
  const traced = traceHttpRequests(handler);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      // The connection this answer leaves idle is closed at once rather than at its keep-alive timeout.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    traced(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) =>
    answerClientError(error, socket),
  );
  // Longer than a load balancer's idle timeout (ALB: 60 s), so the LB never reuses a closed socket.
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = keepAliveTimeoutMs + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closed: Promise<void> | undefined;
  return {
    server,
    port: actualPort,
    url: `http://${displayHost}:${actualPort}`,
    close(graceMs = 10_000) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        // Answers not yet started say `Connection: close`; Node then ends their socket after the answer.
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

const CLIENT_ERRORS: Record<string, HttpError> = {
  HPE_HEADER_OVERFLOW: httpError('HEADERS_TOO_LARGE', 431, {
    ja: 'リクエストヘッダーが大きすぎます。',
    en: 'The request headers are too large.',
  }),
  ERR_HTTP_REQUEST_TIMEOUT: httpError('REQUEST_TIMEOUT', 408, {
    ja: 'リクエストの受信がタイムアウトしました。',
    en: 'The request was not received in time.',
  }),
};
const MALFORMED = httpError('MALFORMED_REQUEST', 400, {
  ja: 'HTTPリクエストの形式が正しくありません。',
  en: 'The HTTP request is malformed.',
});

/**
 * Requests Node refuses before any route sees them (oversized headers, malformed HTTP, header
 * timeout) get the one JSON error shape instead of Node's empty-bodied answer. The language comes
 * from an Accept-Language header among the bytes received, when there is one.
 */
function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const acceptLanguage = /\r\naccept-language:[ \t]*([^\r\n]{1,200})/i.exec(
    error.rawPacket?.toString('latin1') ?? '',
  )?.[1];
  const lang = resolveLanguage({ acceptLanguage });
  const body = JSON.stringify(errorBody(refusal, lang));
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Language: ${lang}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
