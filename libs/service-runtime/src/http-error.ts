import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { resolveLanguage, type Lang } from '@manga-assist/unicode-validator';
import { requestLocals } from './request-context';
import { sendJson } from './send-json';

/** A user-facing message in every language the services answer in. */
export type Messages = Record<Lang, string>;

/**
 * The one error body of every HTTP API (and WebSocket refusal) of the four services:
 * `{ "error": { "code", "message", ...details } }`, `message` in the language the request asked for
 * (see `requestLanguage`), the same language in the `content-language` header.
 */
export interface ErrorBody {
  error: { code: string; message: string } & Record<string, unknown>;
}

/** A refusal or failure that becomes an HTTP answer: typed by `code`, with status and messages. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly code: string,
    readonly status: number,
    readonly messages: Messages,
    /** Extra fields of the error object (e.g. `retryAfterSeconds`, `issues`). */
    readonly details: Record<string, unknown> = {},
    /** Response headers (e.g. `retry-after`, `allow`, `www-authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.en);
  }
}

export function httpError(
  code: string,
  status: number,
  messages: Messages,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): HttpError {
  return new HttpError(code, status, messages, details, headers);
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/**
 * The language of a request's error messages, chosen in ONE place: an explicit `?lang=` wins, then
 * Accept-Language, then the default (all in `resolveLanguage`). Change the choice there, not here.
 */
export function requestLanguage(req: { headers: IncomingHttpHeaders; query?: unknown }): Lang {
  const query = req.query as Record<string, unknown> | undefined;
  const explicit = typeof query?.lang === 'string' ? query.lang : undefined;
  return resolveLanguage({ explicit, acceptLanguage: req.headers['accept-language'] });
}

/** The body for an error in one language: for HTTP answers, WS frames and raw-socket refusals alike. */
export function errorBody(error: HttpError, lang: Lang): ErrorBody {
  return {
    error: { code: error.code, message: error.messages[lang] ?? error.messages.en, ...error.details },
  };
}

/**
 * Writes `error` as the answer to `req`: status, headers, content-language and the one body shape.
 * `lang` is for a handler that already chose the language with `resolveLanguage` from more than the
 * headers (the chat request's own `lang` field); the default is `requestLanguage(req)`.
 */
export function sendHttpError(
  req: Request,
  res: Response,
  error: HttpError,
  lang: Lang = requestLanguage(req),
): void {
  sendJson(res, error.status, errorBody(error, lang), { ...error.headers, 'content-language': lang });
}

/** For a message already in `lang` (e.g. a chat outcome): the same body shape and headers. */
export function sendLocalizedError(
  res: Response,
  lang: Lang,
  {
    status,
    code,
    message,
    details = {},
    headers = {},
  }: {
    status: number;
    code: string;
    message: string;
    details?: Record<string, unknown>;
    headers?: Record<string, string>;
  },
): void {
  sendJson(res, status, { error: { code, message, ...details } }, { ...headers, 'content-language': lang });
}

/** Errors every Express app sees from its body parsers, as HttpErrors. */
export const COMMON_ERRORS = {
  notFound: { ja: 'ページが見つかりません。', en: 'Not found.' },
  tooLarge: { ja: 'リクエストが大きすぎます。', en: 'The request is too large.' },
  badJson: { ja: 'リクエストのJSONが正しくありません。', en: 'The request body is not valid JSON.' },
  internal: {
    ja: '申し訳ございません。エラーが発生しました。もう一度お試しください。',
    en: 'Sorry, something went wrong. Please try again.',
  },
} satisfies Record<string, Messages>;

/** Express's and body-parser's error objects carry `type` and `status`. */
type ExpressError = { type?: string; status?: number; statusCode?: number; message?: string };

/**
 * Maps anything thrown in a route to an HttpError: failures of express.raw (the webhook receiver's
 * body reader; JSON bodies are jsonBody's, which answers HttpErrors itself) keep their 4xx meaning,
 * the rest is 500.
 */
function toHttpError(error: unknown): HttpError {
  if (isHttpError(error)) return error;
  const e = (error ?? {}) as ExpressError;
  if (e.type === 'entity.too.large') return httpError('PAYLOAD_TOO_LARGE', 413, COMMON_ERRORS.tooLarge);
  if (e.type === 'encoding.unsupported') return httpError('INVALID_JSON', 400, COMMON_ERRORS.badJson);
  const status = e.status ?? e.statusCode;
  if (status && status >= 400 && status < 500) return httpError('BAD_REQUEST', status, COMMON_ERRORS.badJson);
  return httpError('INTERNAL', 500, COMMON_ERRORS.internal);
}

export interface ErrorResponderOptions {
  /** Called with the final error before it is written (metrics; a service's own code mapping). */
  map?: (error: HttpError, req: Request, original: unknown) => HttpError;
}

/** Last Express middleware: every error becomes the one JSON shape; a 500 is logged with the request id. */
export function errorResponder(options: ErrorResponderOptions = {}) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let http = toHttpError(error);
    if (http.status >= 500 && !isHttpError(error))
      requestLocals(res).log?.error({ err: error }, 'unhandled error in route');
    if (options.map) http = options.map(http, req, error);
    if (res.headersSent) return;
    sendHttpError(req, res, http);
  };
}

/** The JSON 404 for a path no route answers. */
export function notFound() {
  return (req: Request, res: Response): void =>
    sendHttpError(req, res, httpError('NOT_FOUND', 404, COMMON_ERRORS.notFound));
}
