export {
  AuthError,
  AUTH_ERROR_CODES,
  STAFF_ROLE,
  UNAUTHORIZED_MESSAGES,
  bearerToken,
  createAuthVerifier,
  createDevTokenIssuer,
  type AuthOptions,
  type AuthVerifier,
  type DevTokenIssuer,
  type Identity,
} from './verifier';
export { cacheVerifiedTokens } from './verified-tokens';
export { requireRole, callerOf } from './guard';
export { identityEnv, checkIdentityConfig, verifierFromConfig, type IdentityConfig } from './env';
