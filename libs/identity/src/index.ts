export {
  AuthError,
  AUTH_ERROR_CODES,
  STAFF_ROLE,
  UNAUTHORIZED_MESSAGES,
  bearerToken,
  createDevTokenIssuer,
  type AuthVerifier,
  type DevTokenIssuer,
  type Identity,
} from './verifier';
export { requireRole, callerOf } from './guard';
export { identityEnv, checkIdentityConfig, verifierFromConfig } from './env';
