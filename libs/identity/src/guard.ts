import type { NextFunction, Request, Response } from 'express';
import { httpError, sendHttpError } from '@manga-assist/service-runtime';
import { AuthError, bearerToken, type AuthVerifier, type Identity } from './verifier';

const MESSAGES = {
  unauthorized: {
    ja: '認証が必要です。ログインし直してください。',
    en: 'Authentication required. Please sign in again.',
  },
  forbidden: { ja: 'この操作にはスタッフ権限が必要です。', en: 'This operation requires the staff role.' },
  disabled: {
    ja: '管理APIは無効です (AUTH_JWT_SECRET または AUTH_JWKS_URL が未設定)。',
    en: 'The admin API is disabled (AUTH_JWT_SECRET or AUTH_JWKS_URL is not set).',
  },
};

/** The verified caller of a request that passed requireRole (res.locals.identity). */
export const callerOf = (res: Response): Identity => res.locals.identity as Identity;

/**
 * Express middleware: a verified bearer JWT carrying `role`, else 401 (no or bad token) or 403
 * (valid token without the role), in the one error shape of service-runtime. Without
 * a verifier (identity not configured) the routes stay closed: 503 ADMIN_DISABLED, fail closed.
 */
export function requireRole(verifier: AuthVerifier | undefined, role: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!verifier) return sendHttpError(req, res, httpError('ADMIN_DISABLED', 503, MESSAGES.disabled));
    let identity: Identity;
    try {
      identity = await verifier.verify(bearerToken(req.headers.authorization));
    } catch (error) {
      const code = error instanceof AuthError ? error.code : 'TOKEN_INVALID';
      return sendHttpError(
        req,
        res,
        httpError(code, 401, MESSAGES.unauthorized, {}, { 'www-authenticate': 'Bearer' }),
      );
    }
    if (!identity.roles.includes(role))
      return sendHttpError(req, res, httpError('FORBIDDEN', 403, MESSAGES.forbidden));
    res.locals.identity = identity;
    next();
  };
}
