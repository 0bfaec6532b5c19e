import express, { type NextFunction, type Request, type Response } from 'express';
import {
  jsonBody,
  withSpan,
  httpError,
  lazyChild,
  requestLanguage,
  requestLocals,
  sendHttpError,
  sendLocalizedError,
  type ErrorResponderOptions,
  sendJson,
} from '@manga-assist/service-runtime';
import {
  AuthError,
  bearerToken,
  UNAUTHORIZED_MESSAGES,
  type AuthVerifier,
  type DevTokenIssuer,
} from '@manga-assist/identity';
import type { ChatService } from './chat-service';
import { parseChatRequest } from './envelope';
import { runAction } from './actions';
import type { GatewayMetrics } from './metrics';
import { chatPageHtml, FAVICON_SVG } from './web/chat-page';

export interface HttpAppOptions {
  verifier: AuthVerifier;
  devIssuer?: DevTokenIssuer;
  webUi: boolean;
  /** Where answers come from, shown on the chat page ("local emulator" badge). */
  modelBackend?: 'emulator' | 'bedrock';
  chat: ChatService;
  metrics: GatewayMetrics;
  bodyLimitBytes: number;
}

/** The chat routes on the service skeleton's app (request context and ops routes already on it). */
export function addChatRoutes(app: express.Express, options: HttpAppOptions): void {
  const { chat, metrics } = options;

  if (options.webUi) {
    const page = chatPageHtml({ backend: options.modelBackend ?? 'bedrock' });
    app.get('/', (_req, res) => {
      res
        .type('html')
        .set(
          'content-security-policy',
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'",
        )
        .set('cache-control', 'no-store')
        .send(page);
    });
    app.get(['/favicon.svg', '/favicon.ico'], (_req, res) => {
      res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(FAVICON_SVG);
    });
  }

  if (options.devIssuer) {
    const issuer = options.devIssuer;
    app.post('/dev/token', jsonBody({ limitBytes: 1024 }), async (req, res) => {
      const userId =
        typeof req.body?.userId === 'string'
          ? req.body.userId
          : `dev-${Math.random().toString(36).slice(2, 10)}`;
      // Local mode only: `{"roles":["staff"]}` mints a token for the admin APIs.
      const roles = Array.isArray(req.body?.roles) ? (req.body.roles as unknown[]).map(String) : [];
      try {
        const { token, expiresIn } = await issuer.issue(userId, undefined, roles);
        sendJson(res, 200, { token, userId, roles, expiresIn, tokenType: 'Bearer' });
      } catch (error) {
        sendLocalizedError(res, requestLanguage(req), {
          status: 400,
          code: 'INVALID_USER_ID',
          message: (error as Error).message,
        });
      }
    });
  }

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const identity = await withSpan('auth', {}, () =>
        options.verifier.verify(bearerToken(req.headers.authorization)),
      );
      res.locals.userId = identity.userId;
      next();
    } catch (error) {
      const code = error instanceof AuthError ? error.code : 'TOKEN_INVALID';
      metrics.request('auth', 'rest', 401, requestLanguage(req), 0);
      sendHttpError(
        req,
        res,
        httpError(code, 401, UNAUTHORIZED_MESSAGES, {}, { 'www-authenticate': 'Bearer' }),
      );
    }
  };

  app.post('/v1/chat', authenticate, jsonBody({ limitBytes: options.bodyLimitBytes }), async (req, res) => {
    const { requestId, log } = requestLocals(res);
    const parsed = withSpan('validate request', {}, () =>
      parseChatRequest(req.body, req.headers['accept-language']),
    );
    if (!parsed.ok) {
      metrics.request(
        typeof req.body?.action === 'string' ? String(req.body.action).slice(0, 20) : 'unknown',
        'rest',
        400,
        parsed.lang,
        0,
      );
      return sendLocalizedError(res, parsed.lang, {
        status: 400,
        code: parsed.code,
        message: parsed.message,
      });
    }
    // A client that hangs up stops the model call.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    const outcome = await runAction(
      chat,
      metrics,
      {
        userId: res.locals.userId as string,
        requestId,
        lang: parsed.lang,
        log: lazyChild(log, { userId: res.locals.userId }),
        transport: 'rest',
        // The answer goes out first, the exchange is saved right after (the WebSocket has streamed
        // the answer before its final frame already, so it saves before that frame).
        saveAfterAnswer: true,
        signal: abort.signal,
      },
      parsed.request,
    );
    if (res.headersSent || abort.signal.aborted) return;
    if (outcome.ok) return sendJson(res, 200, outcome.body);
    const retry = outcome.retryAfterSeconds;
    sendLocalizedError(res, parsed.lang, {
      status: outcome.status,
      code: outcome.code,
      message: outcome.message,
      ...(retry ? { details: { retryAfterSeconds: retry }, headers: { 'retry-after': String(retry) } } : {}),
    });
  });
}

/**
 * Body-parser failures (413, bad JSON) are counted; the 413 says the limit. The 404 and the answer
 * itself are the skeleton's (one error shape, never an empty 5xx).
 */
export function chatErrorMapping(metrics: GatewayMetrics, bodyLimitBytes: number): ErrorResponderOptions {
  return {
    map: (error, req) => {
      if (error.status === 413 || error.code === 'INVALID_JSON')
        metrics.request('unknown', 'rest', error.status, requestLanguage(req), 0);
      if (error.status === 413)
        return httpError(error.code, 413, error.messages, { limitBytes: bodyLimitBytes });
      return error;
    },
  };
}
