import { decodeJwt } from 'jose';
import type { AuthVerifier, Identity } from './verifier';

/**
 * Remembers tokens that passed full verification, keyed by the exact token string, until their
 * own `exp` (never longer than `maxAgeMs`): a client sending message after message with one token
 * costs one signature check, not one per message. Failures are never remembered; the token's
 * expiry is honoured to the millisecond (stricter than the verifier's 5 s clock tolerance).
 * Bounded: the oldest entries go first.
 */
export function cacheVerifiedTokens(
  verifier: AuthVerifier,
  options: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {},
): AuthVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const verified = new Map<string, { identity: Identity; until: number }>();

  return {
    async verify(token) {
      if (!token) return verifier.verify(token);
      const hit = verified.get(token);
      if (hit && hit.until > now()) return { ...hit.identity };
      if (hit) verified.delete(token);
      const identity = await verifier.verify(token);
      const exp = decodeJwt(token).exp;
      if (typeof exp === 'number') {
        const oldest = verified.keys().next();
        if (verified.size >= maxEntries && !oldest.done) verified.delete(oldest.value);
        verified.set(token, { identity: { ...identity }, until: Math.min(exp * 1000, now() + maxAgeMs) });
      }
      return identity;
    },
  };
}
