import { randomUUID } from 'node:crypto';
import { isFmError } from '@manga-assist/fm-client';
import type { Logger } from '@manga-assist/service-runtime';
import type { ChatRequest, Lang } from '@manga-assist/unicode-validator';
import {
  CHAT_ERRORS,
  ChatError,
  type ChatRequestContext,
  type ChatService,
  type StreamSink,
} from './chat-service';
import type { GatewayMetrics } from './metrics';

/** What an action knows of its caller: the same context the chat core takes. */
export type ActionContext = ChatRequestContext;

export type ActionOutcome =
  | { ok: true; status: 200; body: Record<string, unknown> }
  | { ok: false; status: number; code: string; message: string; retryAfterSeconds?: number };

/** Runs one validated chat action; every failure becomes a localized outcome (never an empty 5xx). */
export async function runAction(
  chat: ChatService,
  metrics: GatewayMetrics,
  ctx: ActionContext,
  request: ChatRequest,
  sink?: StreamSink,
): Promise<ActionOutcome> {
  const started = performance.now();
  let path = 'none';
  let outcome: ActionOutcome;
  try {
    switch (request.action) {
      case 'sendMessage': {
        const result = await chat.sendMessage(ctx, request.data, sink);
        path = result.path;
        outcome = { ok: true, status: 200, body: { ...result } };
        break;
      }
      case 'getHistory': {
        const history = await chat.getHistory(ctx, { sessionId: request.data.sessionId });
        const turns = request.data.limit ? history.turns.slice(-request.data.limit) : history.turns;
        outcome = { ok: true, status: 200, body: { ...history, turns } };
        break;
      }
      case 'clearSession':
        outcome = {
          ok: true,
          status: 200,
          body: await chat.clearSession(ctx, { sessionId: request.data.sessionId }),
        };
        break;
    }
  } catch (error) {
    outcome = toOutcome(error, ctx);
  }
  metrics.request(
    request.action,
    ctx.transport,
    outcome.ok ? 200 : outcome.code === 'ABORTED' ? 499 : outcome.status,
    ctx.lang,
    (performance.now() - started) / 1000,
    path,
  );
  return outcome;
}

export function toOutcome(
  error: unknown,
  ctx: { lang: Lang; log: Logger },
): Extract<ActionOutcome, { ok: false }> {
  if (error instanceof ChatError) {
    return {
      ok: false,
      status: error.status,
      code: error.code,
      message: error.userMessage[ctx.lang],
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (isFmError(error, 'ABORTED')) {
    return { ok: false, status: 499, code: 'ABORTED', message: error.userMessage[ctx.lang] };
  }
  ctx.log.error(
    {
      err:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    },
    'chat action failed',
  );
  const internal = CHAT_ERRORS.internal();
  return { ok: false, status: 500, code: internal.code, message: internal.userMessage[ctx.lang] };
}

export const newRequestId = () => randomUUID();
