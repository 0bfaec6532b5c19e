import type { NextFunction, Request, Response } from 'express';
import { resolveLanguage } from '@manga-assist/unicode-validator';
import { AuthError, bearerToken, type AuthVerifier, type Identity } from './verifier';

const MESSAGES = {
  unauthorized: { ja: '認証が必要です。ログインし直してください。', en: 'Authentication required. Please sign in again.' },
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
 * (valid token without the role), `{ error: { code, message } }` in the caller's language. Without
 * a verifier (identity not configured) the routes stay closed: 503 ADMIN_DISABLED, fail closed.
 */
export function requireRole(verifier: AuthVerifier | undefined, role: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const lang = resolveLanguage({ acceptLanguage: req.headers['accept-language'] });
    const fail = (status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });
    if (!verifier) return fail(503, 'ADMIN_DISABLED', MESSAGES.disabled[lang]);
    let identity: Identity;
    try {
      identity = await verifier.verify(bearerToken(req.headers.authorization));
    } catch (error) {
      res.set('www-authenticate', 'Bearer');
      return fail(401, error instanceof AuthError ? error.code : 'TOKEN_INVALID', MESSAGES.unauthorized[lang]);
    }
    if (!identity.roles.includes(role)) return fail(403, 'FORBIDDEN', MESSAGES.forbidden[lang]);
    res.locals.identity = identity;
    next();
  };
}
