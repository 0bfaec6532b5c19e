import { createRemoteJWKSet, jwtVerify, SignJWT, errors, type JWTVerifyGetKey } from 'jose';

/** Who is talking: the verified `sub` of the request's JWT, and the roles it was granted. */
export interface Identity {
  userId: string;
  /** From the `roles` claim (or `cognito:groups`); empty for a customer. */
  roles: string[];
}

/** The role the admin APIs (enrichment jobs, human review) require. */
export const STAFF_ROLE = 'staff';

const ROLE = /^[a-z][a-z0-9_-]{0,31}$/;
const MAX_ROLES = 8;

function rolesOf(payload: Record<string, unknown>): string[] {
  const claim = payload.roles ?? payload['cognito:groups'];
  if (!Array.isArray(claim)) return [];
  return claim.filter((r): r is string => typeof r === 'string' && ROLE.test(r)).slice(0, MAX_ROLES);
}

export const AUTH_ERROR_CODES = ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED'] as const;

export class AuthError extends Error {
  constructor(
    readonly code: (typeof AUTH_ERROR_CODES)[number],
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

interface AuthOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** JWKS endpoint (asymmetric keys, e.g. Cognito). Takes precedence over the secret. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

export interface AuthVerifier {
  verify(token: string | undefined): Promise<Identity>;
}

const USER_ID = /^[A-Za-z0-9._@:|-]{1,128}$/;

export function createAuthVerifier(options: AuthOptions): AuthVerifier {
  const key: Uint8Array | JWTVerifyGetKey = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 })
    : new TextEncoder().encode(requireSecret(options.secret));
  const algorithms = options.jwksUrl ? ['RS256', 'ES256', 'PS256', 'EdDSA'] : ['HS256'];
  return {
    async verify(token) {
      if (!token) throw new AuthError('TOKEN_MISSING', 'a bearer token is required');
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp'],
        });
        if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) {
          throw new AuthError('TOKEN_INVALID', 'token subject is not a valid user id');
        }
        return { userId: payload.sub, roles: rolesOf(payload) };
      } catch (error) {
        if (error instanceof AuthError) throw error;
        if (error instanceof errors.JWTExpired) throw new AuthError('TOKEN_EXPIRED', 'token expired');
        throw new AuthError('TOKEN_INVALID', error instanceof Error ? error.message : 'invalid token');
      }
    },
  };
}

export interface DevTokenIssuer {
  issue(userId: string, ttlSeconds?: number, roles?: string[]): Promise<{ token: string; expiresIn: number }>;
}

/**
 * Local-mode token issuer: signs HS256 tokens the verifier above accepts, with the roles asked for
 * (`staff` for the admin APIs). Never enabled in production.
 */
export function createDevTokenIssuer(
  options: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'>,
): DevTokenIssuer {
  const key = new TextEncoder().encode(requireSecret(options.secret));
  return {
    async issue(userId, ttlSeconds = 3600, roles = []) {
      if (!USER_ID.test(userId)) throw new AuthError('TOKEN_INVALID', 'invalid user id');
      if (roles.length > MAX_ROLES || roles.some((r) => !ROLE.test(r)))
        throw new AuthError('TOKEN_INVALID', 'invalid roles');
      const token = await new SignJWT(roles.length ? { roles } : {})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
  };
}

/** `Authorization: Bearer <jwt>`; for browser WebSockets (no custom headers) `?access_token=`. */
export function bearerToken(
  authorization: string | undefined,
  queryToken?: string | null,
): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1];
  }
  return queryToken ?? undefined;
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new Error('an HS256 secret is required');
  return secret;
}

/** What a user sees when a token is missing, invalid or expired (HTTP 401 and the WebSocket upgrade alike). */
export const UNAUTHORIZED_MESSAGES = {
  ja: '認証が必要です。ログインし直してください。',
  en: 'Authentication required. Please sign in again.',
};
