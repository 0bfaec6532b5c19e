import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { LocalStack } from '@manga-assist/local-stack';
import { openWs, startGateway, startStack, TEST_SECRET, type Gateway } from './test-support/harness';

const ISSUER = 'manga-assist';
const AUDIENCE = 'manga-assist-chat';
const secretKey = new TextEncoder().encode(TEST_SECRET);

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now; undefined leaves exp out. */
  expiresIn?: number;
}

function claims(
  { sub = 'reader', iss = ISSUER, aud = AUDIENCE, expiresIn = 600 }: Claims = {},
  omit: (keyof JWTPayload)[] = [],
): SignJWT {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { sub, iss, aud, iat: now, exp: now + expiresIn };
  for (const key of omit) delete payload[key];
  return new SignJWT(payload);
}

const hs256 = (c?: Claims, omit?: (keyof JWTPayload)[]) =>
  claims(c, omit).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretKey);

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The payload of a signed token replaced, the signature kept. */
function withPayload(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  return [
    header,
    b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...change }),
    signature,
  ].join('.');
}

/** Sends an authenticated request that reaches the session store: 404 means the token was accepted. */
const probe = (gw: Gateway, token: string | undefined) =>
  gw.post(token, { action: 'getHistory', data: { sessionId: 'no-such-session' } });

/** Attempts a WebSocket upgrade and resolves with the refusal (status and JSON body), or 'open'. */
function upgrade(
  gw: Gateway,
  token: string,
  { path = '/v1/ws', headers = {} }: { path?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown } | 'open'> {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

async function expectRefused(gw: Gateway, token: string, code: string): Promise<void> {
  const rest = await probe(gw, token);
  expect({ status: rest.status, code: rest.body.error.code }).toEqual({ status: 401, code });
  expect(rest.headers.get('www-authenticate')).toBe('Bearer');
  const ws = await upgrade(gw, token);
  // The refused upgrade answers exactly as REST does: the one error shape, the same language.
  expect(ws).toEqual({ status: 401, body: rest.body });
}

let stack: LocalStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

describe('identity with an HS256 secret', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix });
  });
  afterAll(() => gw.stop());

  it('accepts a well-formed token over REST and WebSocket (the baseline the refusals below differ from)', async () => {
    const token = await hs256({ sub: 'hs-reader' });
    expect((await probe(gw, token)).status).toBe(404);
    expect(await upgrade(gw, token)).toBe('open');
  });

  it('refuses an expired token with TOKEN_EXPIRED over REST and WebSocket, answering in the user language', async () => {
    const expired = await hs256({ expiresIn: -60 });
    await expectRefused(gw, expired, 'TOKEN_EXPIRED');
    const ja = await gw.post(
      expired,
      { action: 'getHistory', data: { sessionId: 'x' } },
      { 'accept-language': 'ja' },
    );
    expect(ja.body.error.message).toBe('認証が必要です。ログインし直してください。');
  });

  it('refuses an upgrade in the one JSON error shape, in the language the request asks for', async () => {
    const expired = await hs256({ expiresIn: -60 });
    expect(await upgrade(gw, expired, { headers: { 'accept-language': 'en-US,en;q=0.9' } })).toEqual({
      status: 401,
      body: { error: { code: 'TOKEN_EXPIRED', message: 'Authentication required. Please sign in again.' } },
    });
    expect(await upgrade(gw, expired)).toEqual({
      status: 401,
      body: { error: { code: 'TOKEN_EXPIRED', message: '認証が必要です。ログインし直してください。' } },
    });
    expect(await upgrade(gw, await hs256({ sub: 'hs-reader' }), { path: '/nowhere?lang=en' })).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Not found.' } },
    });
  });

  it('refuses tokens from another issuer or for another audience', async () => {
    await expectRefused(gw, await hs256({ iss: 'someone-else' }), 'TOKEN_INVALID');
    await expectRefused(gw, await hs256({ aud: 'another-service' }), 'TOKEN_INVALID');
  });

  it('refuses an unsigned alg:none token and a signed token whose payload was altered', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 })}.`;
    await expectRefused(gw, unsigned, 'TOKEN_INVALID');
    const noneWithSignature = `${b64({ alg: 'none' })}.${unsigned.split('.')[1]}.${(await hs256()).split('.')[2]}`;
    await expectRefused(gw, noneWithSignature, 'TOKEN_INVALID');

    // Bob edits his own token to say he is alice: alice's session stays out of reach.
    const alice = await gw.token('alice');
    const own = await gw.post(alice, { action: 'sendMessage', data: { message: '私の会話です' } });
    const bob = await gw.token('bob');
    const forged = withPayload(bob, { sub: 'alice' });
    await expectRefused(gw, forged, 'TOKEN_INVALID');
    const stolen = await gw.post(forged, { action: 'getHistory', data: { sessionId: own.body.sessionId } });
    expect(stolen.status).toBe(401);
    expect(stolen.body.turns).toBeUndefined();
    // Pushing back the expiry of an expired token breaks its signature just the same.
    await expectRefused(
      gw,
      withPayload(await hs256({ expiresIn: -60 }), { exp: now + 3600 }),
      'TOKEN_INVALID',
    );
  });

  it('refuses tokens signed with another secret, without sub or exp, or with a subject that is not a user id', async () => {
    const otherSecret = new TextEncoder().encode('another-secret-of-at-least-32-characters!');
    await expectRefused(
      gw,
      await claims().setProtectedHeader({ alg: 'HS256' }).sign(otherSecret),
      'TOKEN_INVALID',
    );
    await expectRefused(gw, await hs256({}, ['sub']), 'TOKEN_INVALID');
    await expectRefused(gw, await hs256({}, ['exp']), 'TOKEN_INVALID');
    await expectRefused(gw, await hs256({ sub: '../../etc/passwd' }), 'TOKEN_INVALID');
    await expectRefused(gw, await hs256({ sub: 'x'.repeat(129) }), 'TOKEN_INVALID');
  });
});

describe('dev token issuer', () => {
  it('exists only when AUTH_DEV_ISSUER=true: absent by default and when false', async () => {
    // undefined removes the harness's AUTH_DEV_ISSUER=true, leaving the config default.
    const unset = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      AUTH_DEV_ISSUER: undefined as unknown as string,
    });
    const off = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      AUTH_DEV_ISSUER: 'false',
    });
    const on = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix, AUTH_DEV_ISSUER: 'true' });
    try {
      const ask = (gw: Gateway) =>
        fetch(`${gw.url}/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'mallory' }),
        });
      expect((await ask(unset)).status).toBe(404);
      expect((await ask(off)).status).toBe(404);
      const issued = await ask(on);
      expect(issued.status).toBe(200);
      const { token } = (await issued.json()) as { token: string };
      expect((await probe(on, token)).status).toBe(404); // accepted: reaches the session lookup
      expect(unset.logs.some((l) => /AUTH_DEV_ISSUER is on/.test(String(l.msg)))).toBe(false);
      expect(on.logs.some((l) => /AUTH_DEV_ISSUER is on/.test(String(l.msg)))).toBe(true);
    } finally {
      await Promise.all([unset.stop(), off.stop(), on.stop()]);
    }
  });
});

describe('identity with a JWKS URL (RS256 / ES256, key rotation)', () => {
  interface SigningKey {
    kid: string;
    alg: 'RS256' | 'ES256';
    privateKey: CryptoKey;
    jwk: JWK;
  }
  let jwksServer: Server;
  let published: JWK[] = [];
  let fetches = 0;
  let gw: Gateway;
  let rsa: SigningKey;
  let ec: SigningKey;

  async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
  }
  const sign = (key: SigningKey, c?: Claims, kid = key.kid) =>
    claims(c).setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' }).sign(key.privateKey);

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    published = [rsa.jwk, ec.jwk];
    jwksServer = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    gw = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      AUTH_DEV_ISSUER: 'false',
    });
  });
  afterAll(async () => {
    await gw.stop();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('verifies RS256 and ES256 tokens against the published keys, fetching the key set once', async () => {
    const rsToken = await sign(rsa, { sub: 'rs-reader' });
    const esToken = await sign(ec, { sub: 'es-reader' });
    const chat = await gw.post(rsToken, {
      action: 'sendMessage',
      data: { message: 'JWKSで認証されたユーザーです' },
    });
    expect(chat.status).toBe(200);
    expect(
      (await gw.post(esToken, { action: 'getHistory', data: { sessionId: chat.body.sessionId } })).status,
    ).toBe(404); // es-reader is not its owner
    expect(
      (await gw.post(rsToken, { action: 'getHistory', data: { sessionId: chat.body.sessionId } })).body.turns,
    ).toHaveLength(2);
    const client = await openWs(gw.url, esToken);
    const frames = await client.request({ action: 'sendMessage', data: { message: 'ES256でも話せますか?' } });
    expect(frames[frames.length - 1].type).toBe('final');
    await client.close();
    expect(fetches).toBe(1);
  });

  it('refuses an HS256 token made with the shared secret (no algorithm confusion), a foreign key under a known kid, expiry, and has no dev issuer', async () => {
    await expectRefused(gw, await hs256(), 'TOKEN_INVALID');
    const impostor = await signingKey('rsa-1', 'RS256');
    await expectRefused(gw, await sign(impostor), 'TOKEN_INVALID');
    await expectRefused(gw, await sign(rsa, { expiresIn: -60 }), 'TOKEN_EXPIRED');
    await expectRefused(gw, await sign(rsa, { aud: 'another-service' }), 'TOKEN_INVALID');
    expect((await fetch(`${gw.url}/dev/token`, { method: 'POST' })).status).toBe(404);
  });

  it('fetches a rotated-in key when a token names its kid (after the 30 s refetch cooldown) and drops a retired key', async () => {
    const next = await signingKey('rsa-2', 'RS256');
    published = [next.jwk, ec.jwk]; // rsa-1 retired, rsa-2 rotated in
    const fresh = await sign(next, { sub: 'rotated-reader' });
    const oldKeyToken = await sign(rsa, { sub: 'rotated-reader' });
    const fetchesBefore = fetches;

    // Within jose's cooldown an unknown kid is not a reason to refetch (a flood of made-up kids
    // cannot hammer the identity provider): refused, no request to the JWKS endpoint.
    await expectRefused(gw, await sign(next, {}, 'made-up-kid'), 'TOKEN_INVALID');
    expect(fetches).toBe(fetchesBefore);

    // 31 s later (only Date moves; timers and I/O stay real) the new kid triggers one refetch.
    jest.useFakeTimers({
      now: Date.now() + 31_000,
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      expect((await probe(gw, fresh)).status).toBe(404);
      expect(fetches).toBe(fetchesBefore + 1);
      expect(await upgrade(gw, fresh)).toBe('open');
      // The refetched set no longer has rsa-1: its tokens stop working.
      await expectRefused(gw, oldKeyToken, 'TOKEN_INVALID');
      expect(fetches).toBe(fetchesBefore + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});
