import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
  COMMON_ERRORS,
  contextWithSpan,
  errorBody,
  httpError,
  requestLanguage,
  SpanKind,
  startSpan,
  withSpan,
  type HttpError,
  type Link,
  type Logger,
} from '@manga-assist/service-runtime';
import { bearerToken, UNAUTHORIZED_MESSAGES, type AuthVerifier, type Identity } from '@manga-assist/identity';

/** One client connection as the message handler sees it. */
export interface WsConnection {
  identity: Identity;
  acceptLanguage: string | undefined;
  connectionId: string;
  /** Sends one JSON frame; false when the socket is gone or was cut off for not reading. */
  send(frame: object): boolean;
  /** Sends frames in one write to the socket (one system call); false as `send`. */
  sendAll(frames: object[]): boolean;
  /**
   * Sends one JSON frame together with the frames sent after it in the same turn of the event loop
   * (a burst of deltas that came in one chunk from the model): one write for the burst instead of
   * one per frame, at most a few KB held back; false as `send`.
   */
  sendBatched(frame: object): boolean;
  /** Aborts when the client goes away (or is cut off): in-flight model calls stop. */
  signal: AbortSignal;
  log: Logger;
  /** The connection's upgrade span (where its token was verified): each message's trace links to it. */
  trace?: Link;
}

export interface WsServerOptions {
  server: Server;
  path: string;
  verifier: AuthVerifier;
  logger: Logger;
  maxPayloadBytes: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  maxConnections: number;
  onMessage(conn: WsConnection, data: string): void;
  metrics?: {
    open(delta: number): void;
    slowConsumer(): void;
    reaped(): void;
    rejected(reason: string): void;
  };
}

export interface ChatWsServer {
  readonly size: number;
  close(): Promise<void>;
}

let connectionSeq = 0;

const TOO_MANY_CONNECTIONS = httpError(
  'TOO_MANY_CONNECTIONS',
  503,
  {
    ja: '接続数が上限に達しています。しばらくしてから再接続してください。',
    en: 'Too many connections. Please reconnect later.',
  },
  {},
  { 'retry-after': '5' },
);

/**
 * WebSocket endpoint on the HTTP server: JWT verified before the upgrade completes (401 otherwise),
 * bounded frames (maxPayload), ping/pong heartbeats with reaping of clients that stop answering,
 * and a cap on unsent bytes per client so that a slow reader is cut off instead of making the
 * server buffer without bound.
 */
export function attachChatWebSocket(options: WsServerOptions): ChatWsServer {
  const { logger, metrics } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });
  const alive = new WeakMap<WebSocket, boolean>();
  const batchBytes = Math.min(16 * 1024, Math.floor(options.maxBufferedBytes / 4));
  let upgrading = 0;

  // A refused upgrade is an HTTP answer in the APIs' one error shape, in the language the request asks for.
  const reject = (socket: Duplex, req: IncomingMessage, url: URL, refusal: HttpError) => {
    metrics?.rejected(refusal.code);
    const lang = requestLanguage({ headers: req.headers, query: Object.fromEntries(url.searchParams) });
    const body = JSON.stringify(errorBody(refusal, lang));
    const headers = Object.entries(refusal.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Language: ${lang}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== options.path)
      return reject(socket, req, url, httpError('NOT_FOUND', 404, COMMON_ERRORS.notFound));
    // Upgrades still verifying their token count too: otherwise a burst arriving at once all pass
    // the check before any of them joins wss.clients.
    if (wss.clients.size + upgrading >= options.maxConnections)
      return reject(socket, req, url, TOO_MANY_CONNECTIONS);
    upgrading++;
    const token = bearerToken(req.headers.authorization, url.searchParams.get('access_token'));
    // The upgrade is a trace of its own (the connection outlives it); its auth span is where the
    // token is checked, and every message's trace links back to it.
    const upgrade = startSpan(`WS upgrade ${options.path}`, { kind: SpanKind.SERVER });
    withSpan('auth', { parent: contextWithSpan(upgrade) }, () => options.verifier.verify(token)).then(
      (identity) => {
        upgrading--;
        upgrade.end();
        if (socket.destroyed) return;
        const trace = { context: upgrade.spanContext() };
        // Synchronous without verifyClient: the socket is in wss.clients when this returns.
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, identity, req, trace));
      },
      (error: { code?: string }) => {
        upgrading--;
        upgrade.setAttribute('http.response.status_code', 401);
        upgrade.end();
        reject(
          socket,
          req,
          url,
          httpError(
            error.code ?? 'TOKEN_INVALID',
            401,
            UNAUTHORIZED_MESSAGES,
            {},
            { 'www-authenticate': 'Bearer' },
          ),
        );
      },
    );
  };
  options.server.on('upgrade', onUpgrade);

  function onConnection(ws: WebSocket, identity: Identity, req: IncomingMessage, trace: Link) {
    const connectionId = `ws-${++connectionSeq}`;
    const log = logger.child({ connectionId, userId: identity.userId });
    const abort = new AbortController();
    alive.set(ws, true);
    metrics?.open(1);

    const send = (frame: object): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      if (ws.bufferedAmount > options.maxBufferedBytes) {
        log.warn({ bufferedAmount: ws.bufferedAmount }, 'websocket client not reading: cut off');
        metrics?.slowConsumer();
        abort.abort(new Error('slow consumer'));
        ws.terminate();
        return false;
      }
      ws.send(JSON.stringify(frame));
      return true;
    };
    // The upgraded request's socket is the connection's: corked, the frames leave in one write.
    const socket = req.socket;
    const sendAll = (frames: object[]): boolean => {
      socket.cork();
      try {
        return frames.every(send);
      } finally {
        socket.uncork();
      }
    };

    // A burst: the socket stays corked until the burst's turn of the event loop ends
    // (process.nextTick runs once the promise jobs of the chunk's deltas are done), or until it
    // holds `batchBytes`, well under the slow-consumer cap that counts what is held back too.
    let batching = false;
    const release = () => {
      if (!batching) return;
      batching = false;
      socket.uncork();
    };
    const sendBatched = (frame: object): boolean => {
      if (!batching) {
        batching = true;
        socket.cork();
        process.nextTick(release);
      }
      const sent = send(frame);
      if (socket.writableLength >= batchBytes) release();
      return sent;
    };

    const conn: WsConnection = {
      identity,
      acceptLanguage: req.headers['accept-language'],
      connectionId,
      send,
      sendAll,
      sendBatched,
      signal: abort.signal,
      log,
      trace,
    };

    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      alive.set(ws, true);
      if (isBinary) {
        send({ type: 'error', code: 'BAD_FRAME', message: 'binary frames are not supported' });
        return;
      }
      options.onMessage(conn, rawToString(data));
    });
    ws.on('error', (error) => log.debug({ err: error.message }, 'websocket error'));
    ws.on('close', () => {
      metrics?.open(-1);
      if (!abort.signal.aborted) abort.abort(new Error('client disconnected'));
    });
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        metrics?.reaped();
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    get size() {
      return wss.clients.size;
    },
    close() {
      clearInterval(heartbeat);
      options.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 2000);
        timer.unref();
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
