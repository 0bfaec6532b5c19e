import express, { type NextFunction, type Request, type Response } from 'express';
import { createOpsRouter, requestLocals, requestContext, withSpan, type Logger, type ReadinessCheck, type Registry } from '@manga-assist/service-runtime';
import { resolveLanguage, type Lang } from '@manga-assist/unicode-validator';
import { AuthError, bearerToken, type AuthVerifier, type DevTokenIssuer } from './auth';
import type { ChatService } from './chat-service';
import { parseChatRequest } from './envelope';
import { runAction } from './actions';
import type { GatewayMetrics } from './metrics';
import { CHAT_PAGE_HTML } from './web/chat-page';

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  checks: ReadinessCheck[];
  isShuttingDown: () => boolean;
  verifier: AuthVerifier;
  devIssuer?: DevTokenIssuer;
  webUi: boolean;
  chat: ChatService;
  metrics: GatewayMetrics;
  bodyLimitBytes: number;
}

const MESSAGES = {
  unauthorized: { ja: '認証が必要です。ログインし直してください。', en: 'Authentication required. Please sign in again.' },
  tooLarge: { ja: 'リクエストが大きすぎます。', en: 'The request is too large.' },
  badJson: { ja: 'リクエストのJSONが正しくありません。', en: 'The request body is not valid JSON.' },
  notFound: { ja: 'ページが見つかりません。', en: 'Not found.' },
  internal: { ja: '申し訳ございません。エラーが発生しました。もう一度お試しください。', en: 'Sorry, something went wrong. Please try again.' },
};

const langOf = (req: Request): Lang => resolveLanguage({ acceptLanguage: req.headers['accept-language'] });
const sendError = (res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  res.status(status).json({ error: { code, message, ...extra } });

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { chat, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(options.logger));
  app.use(createOpsRouter({ registry: options.registry, checks: options.checks, isShuttingDown: options.isShuttingDown }));

  if (options.webUi) {
    app.get('/', (_req, res) => {
      res
        .type('html')
        .set('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
        .set('cache-control', 'no-store')
        .send(CHAT_PAGE_HTML);
    });
  }

  if (options.devIssuer) {
    const issuer = options.devIssuer;
    app.post('/dev/token', express.json({ limit: 1024 }), async (req, res) => {
      const userId = typeof req.body?.userId === 'string' ? req.body.userId : `dev-${Math.random().toString(36).slice(2, 10)}`;
      try {
        const { token, expiresIn } = await issuer.issue(userId);
        res.json({ token, userId, expiresIn, tokenType: 'Bearer' });
      } catch (error) {
        sendError(res, 400, 'INVALID_USER_ID', (error as Error).message);
      }
    });
  }

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const identity = await withSpan('auth', {}, () => options.verifier.verify(bearerToken(req.headers.authorization)));
      res.locals.userId = identity.userId;
      next();
    } catch (error) {
      const code = error instanceof AuthError ? error.code : 'TOKEN_INVALID';
      metrics.request('auth', 'rest', 401, langOf(req), 0);
      res.set('www-authenticate', 'Bearer');
      sendError(res, 401, code, MESSAGES.unauthorized[langOf(req)]);
    }
  };

  app.post('/v1/chat', authenticate, express.json({ limit: options.bodyLimitBytes }), async (req, res) => {
    const { requestId, log } = requestLocals(res);
    const parsed = withSpan('validate request', {}, () => parseChatRequest(req.body, req.headers['accept-language']));
    if (!parsed.ok) {
      metrics.request(typeof req.body?.action === 'string' ? String(req.body.action).slice(0, 20) : 'unknown', 'rest', 400, parsed.lang, 0);
      return sendError(res, 400, parsed.code, parsed.message);
    }
    // A client that hangs up stops the model call.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    const outcome = await runAction(
      chat,
      metrics,
      { userId: res.locals.userId as string, requestId, lang: parsed.lang, log: log.child({ userId: res.locals.userId }), transport: 'rest', signal: abort.signal },
      parsed.request,
    );
    if (res.headersSent || abort.signal.aborted) return;
    if (outcome.ok) return res.status(200).json(outcome.body);
    if (outcome.retryAfterSeconds) res.set('retry-after', String(outcome.retryAfterSeconds));
    sendError(res, outcome.status, outcome.code, outcome.message, outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {});
  });

  app.use((req: Request, res: Response) => sendError(res, 404, 'NOT_FOUND', MESSAGES.notFound[langOf(req)]));

  // Body-parser failures (413, bad JSON) and anything unexpected: always a JSON body, never an empty 5xx.
  app.use((error: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const lang = langOf(req);
    if (res.headersSent) return;
    if (error.type === 'entity.too.large') {
      metrics.request('unknown', 'rest', 413, lang, 0);
      return sendError(res, 413, 'PAYLOAD_TOO_LARGE', MESSAGES.tooLarge[lang], { limitBytes: options.bodyLimitBytes });
    }
    if (error.type === 'entity.parse.failed' || error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
      metrics.request('unknown', 'rest', 400, lang, 0);
      return sendError(res, 400, 'INVALID_JSON', MESSAGES.badJson[lang]);
    }
    requestLocals(res).log?.error({ err: error.message, type: error.type }, 'unhandled error');
    sendError(res, error.status && error.status >= 400 && error.status < 500 ? error.status : 500, 'INTERNAL', MESSAGES.internal[lang]);
  });
  return app;
}
