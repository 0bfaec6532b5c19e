import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { callerOf, requireRole } from './guard';
import { createAuthVerifier, createDevTokenIssuer, STAFF_ROLE, type AuthVerifier } from './verifier';

const options = {
  secret: 'guard-test-secret-0123456789abcdefghij',
  issuer: 'manga-assist',
  audience: 'manga-assist-chat',
};

async function serve(verifier: AuthVerifier | undefined): Promise<{ url: string; server: Server }> {
  const app = express();
  app.get('/admin/who', requireRole(verifier, STAFF_ROLE), (_req, res) => {
    res.json(callerOf(res));
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('requireRole (admin APIs)', () => {
  const issuer = createDevTokenIssuer(options);
  let url: string;
  let server: Server;
  beforeAll(async () => ({ url, server } = await serve(createAuthVerifier(options))));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const get = (token?: string, lang = 'ja') =>
    fetch(`${url}/admin/who`, {
      headers: { 'accept-language': lang, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('lets a staff token through and tells the handler who it is', async () => {
    const { token } = await issuer.issue('staff-1', 60, [STAFF_ROLE]);
    const res = await get(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: 'staff-1', roles: ['staff'] });
  });

  it('answers 403 to a valid customer token (no staff role), in the caller language', async () => {
    const { token } = await issuer.issue('customer-1', 60);
    const res = await get(token);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'この操作にはスタッフ権限が必要です。' },
    });
    expect((await (await get(token, 'en')).json()).error.message).toBe(
      'This operation requires the staff role.',
    );
  });

  it('answers 401 without a token or with a token signed by someone else', async () => {
    expect((await get()).status).toBe(401);
    const forged = await createDevTokenIssuer({
      ...options,
      secret: 'another-secret-0123456789abcdefghijkl',
    }).issue('staff-1', 60, [STAFF_ROLE]);
    const res = await get(forged.token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('stays closed (503) when the service has no identity configured', async () => {
    const closed = await serve(undefined);
    try {
      const res = await fetch(`${closed.url}/admin/who`);
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe('ADMIN_DISABLED');
    } finally {
      await new Promise((resolve) => closed.server.close(resolve));
    }
  });

  it('the dev issuer refuses malformed roles', async () => {
    await expect(issuer.issue('x', 60, ['Staff Admin'])).rejects.toThrow('invalid roles');
  });
});
