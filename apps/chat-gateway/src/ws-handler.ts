import { randomUUID } from 'node:crypto';
import {
  hashUserId,
  lazyChild,
  ROOT_CONTEXT,
  SpanKind,
  withSpan,
  type Span,
} from '@manga-assist/service-runtime';
import { resolveLanguage } from '@manga-assist/unicode-validator';
import type { ChatService } from './chat-service';
import { CHAT_ERRORS } from './chat-service';
import { parseChatRequest } from './envelope';
import { runAction } from './actions';
import type { GatewayMetrics } from './metrics';
import type { WsConnection } from './ws-server';

const FRAME_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The WebSocket protocol. Client frames are the REST envelope plus an optional `id` echoed on every
 * answer frame. sendMessage answers `start`, `delta`* (in order), then `final` (usage, cost) or
 * `error` (code + localized message); `restart` tells the client to discard a partial answer when a
 * fallback takes over. getHistory answers `history`, clearSession `cleared`. One sendMessage at a
 * time per connection.
 */
export function createWsMessageHandler(chat: ChatService, metrics: GatewayMetrics) {
  const busy = new WeakSet<WsConnection>();

  // Each frame is one user action: a trace of its own (the connection outlives it), linked to the
  // upgrade where the connection's token was verified.
  return (conn: WsConnection, raw: string) =>
    withSpan(
      'WS message /v1/ws',
      { kind: SpanKind.SERVER, parent: ROOT_CONTEXT, links: conn.trace ? [conn.trace] : [] },
      (span) => handleFrame(conn, raw, span),
    );

  function handleFrame(conn: WsConnection, raw: string, span: Span): Promise<unknown> | undefined {
    if (span.isRecording()) span.setAttribute('user.hash', hashUserId(conn.identity.userId));
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      const lang = resolveLanguage({ acceptLanguage: conn.acceptLanguage });
      conn.send({
        type: 'error',
        code: 'INVALID_JSON',
        message: lang === 'ja' ? 'JSONが正しくありません。' : 'The frame is not valid JSON.',
      });
      return;
    }
    const rawId = (body as { id?: unknown })?.id;
    const id = typeof rawId === 'string' && FRAME_ID.test(rawId) ? rawId : randomUUID();
    const parsed = withSpan('validate request', {}, () => parseChatRequest(body, conn.acceptLanguage));
    if (!parsed.ok) {
      metrics.request('unknown', 'ws', 400, parsed.lang, 0);
      conn.send({ type: 'error', id, code: parsed.code, message: parsed.message });
      return;
    }
    const { request, lang } = parsed;
    span.updateName(`WS ${request.action}`);
    const requestId = randomUUID();
    const ctx = {
      userId: conn.identity.userId,
      requestId,
      lang,
      log: lazyChild(conn.log, { requestId, frameId: id }),
      transport: 'ws' as const,
      signal: conn.signal,
    };

    if (request.action === 'sendMessage') {
      if (busy.has(conn)) {
        const error = CHAT_ERRORS.busy();
        conn.send({ type: 'error', id, code: error.code, message: error.userMessage[lang] });
        return;
      }
      busy.add(conn);
      let seq = 0;
      // `start` leaves with the first frame that follows it (delta, restart, final or error), in
      // one write: nothing is written to the client while the model call is being sent.
      let start: object | undefined;
      const send = (frame: object) => {
        if (!start) return conn.send(frame);
        const frames = [start, frame];
        start = undefined;
        return conn.sendAll(frames);
      };
      const sink = {
        start: (meta: { sessionId: string; model: string; variant: string }) => {
          start = { type: 'start', id, ...meta };
        },
        // The first delta leaves at once (with `start`); the rest of a burst leaves in one write.
        delta: (text: string) => {
          const frame = { type: 'delta', id, seq: seq++, text };
          return frame.seq === 0 ? send(frame) : conn.sendBatched(frame);
        },
        restart: (reason: string) => send({ type: 'restart', id, reason }),
      };
      return runAction(chat, metrics, ctx, request, sink)
        .then((outcome) => {
          if (outcome.ok) send({ type: 'final', id, ...outcome.body });
          else if (outcome.code !== 'ABORTED')
            send({
              type: 'error',
              id,
              code: outcome.code,
              message: outcome.message,
              ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
            });
        })
        .finally(() => busy.delete(conn));
    }

    return runAction(chat, metrics, ctx, request).then((outcome) => {
      if (outcome.ok)
        conn.send({ type: request.action === 'getHistory' ? 'history' : 'cleared', id, ...outcome.body });
      else conn.send({ type: 'error', id, code: outcome.code, message: outcome.message });
    });
  }
}
