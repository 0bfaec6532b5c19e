import type { z } from 'zod';
import { env } from '@manga-assist/service-runtime';
import { createAuthVerifier, type AuthVerifier } from './verifier';
import { cacheVerifiedTokens } from './verified-tokens';

/**
 * The identity settings every service with a protected API reads (spread into its env schema):
 * an HS256 secret or a JWKS URL, and the expected issuer and audience. The same tokens work for the
 * chat and, when they carry the staff role, for the admin APIs.
 */
export const identityEnv = {
  AUTH_JWT_SECRET: env.optionalString(),
  AUTH_JWKS_URL: env.optionalUrl(),
  AUTH_ISSUER: env.string('manga-assist'),
  AUTH_AUDIENCE: env.string('manga-assist-chat'),
};

interface IdentityConfig {
  AUTH_JWT_SECRET?: string;
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
}

/** Adds config issues for a secret that is too short (use inside the schema's superRefine). */
export function checkIdentityConfig(c: IdentityConfig, ctx: z.RefinementCtx): void {
  if (c.AUTH_JWT_SECRET && c.AUTH_JWT_SECRET.length < 32) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_JWT_SECRET'], message: 'must be at least 32 characters' });
  }
}

/** The verifier the config describes (signature checked once per token), or undefined when none is configured. */
export function verifierFromConfig(c: IdentityConfig): AuthVerifier | undefined {
  if (!c.AUTH_JWT_SECRET && !c.AUTH_JWKS_URL) return undefined;
  return cacheVerifiedTokens(
    createAuthVerifier({
      secret: c.AUTH_JWT_SECRET,
      jwksUrl: c.AUTH_JWKS_URL,
      issuer: c.AUTH_ISSUER,
      audience: c.AUTH_AUDIENCE,
    }),
  );
}
