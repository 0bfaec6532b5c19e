import { AuthError, createAuthVerifier, createDevTokenIssuer, type AuthVerifier } from './verifier';
import { cacheVerifiedTokens } from './verified-tokens';

const settings = {
  secret: 'verified-tokens-spec-secret-0123456789abcdef',
  issuer: 'manga-assist',
  audience: 'manga-assist-chat',
};
const issuer = createDevTokenIssuer(settings);

/** The real HS256 verifier, counting full verifications. */
function countingVerifier() {
  const real = createAuthVerifier(settings);
  const counter = { calls: 0 };
  const verifier: AuthVerifier = {
    verify: (token) => {
      counter.calls++;
      return real.verify(token);
    },
  };
  return { verifier, counter };
}

describe('verified token cache', () => {
  it('checks the signature of a token once while it is valid, and again once its exp has passed', async () => {
    const { verifier, counter } = countingVerifier();
    let clock = Date.now();
    const cached = cacheVerifiedTokens(verifier, { now: () => clock });
    const { token, expiresIn } = await issuer.issue('alice', 30); // shorter than the 60 s maxAge
    expect(await cached.verify(token)).toEqual({ userId: 'alice', roles: [] });
    expect(await cached.verify(token)).toEqual({ userId: 'alice', roles: [] });
    expect(counter.calls).toBe(1);
    clock += expiresIn * 1000 + 1000; // past exp: never served from memory
    await cached.verify(token).catch(() => undefined);
    expect(counter.calls).toBe(2);
  });

  it('never remembers a failure, a missing token or another token', async () => {
    const { verifier, counter } = countingVerifier();
    const cached = cacheVerifiedTokens(verifier);
    const { token } = await issuer.issue('alice');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (let i = 0; i < 2; i++) await expect(cached.verify(tampered)).rejects.toBeInstanceOf(AuthError);
    await expect(cached.verify(undefined)).rejects.toMatchObject({ code: 'TOKEN_MISSING' });
    expect(counter.calls).toBe(3);
    const bob = await issuer.issue('bob');
    await cached.verify(token);
    expect(await cached.verify(bob.token)).toEqual({ userId: 'bob', roles: [] });
    expect(counter.calls).toBe(5);
  });

  it('re-checks a token whose cache entry passed maxAgeMs, and holds at most maxEntries tokens', async () => {
    const { verifier, counter } = countingVerifier();
    let clock = Date.now();
    const cached = cacheVerifiedTokens(verifier, { maxEntries: 2, maxAgeMs: 10_000, now: () => clock });
    const tokens = await Promise.all(['a', 'b', 'c'].map(async (u) => (await issuer.issue(u)).token));
    for (const t of tokens) await cached.verify(t); // 'a' is pushed out by 'c'
    await cached.verify(tokens[2]);
    expect(counter.calls).toBe(3);
    await cached.verify(tokens[0]);
    expect(counter.calls).toBe(4);
    clock += 10_001;
    await cached.verify(tokens[0]);
    expect(counter.calls).toBe(5);
  });
});
