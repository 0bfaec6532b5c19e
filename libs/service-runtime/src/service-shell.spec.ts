import { createServiceShell } from './service-shell';
import { httpError } from './http-error';
import { jsonBody } from './json-body';
import { quietRuntime } from './test-support/quiet-runtime';

const runtime = () => quietRuntime('shell-test');

describe('service shell', () => {
  it('stops what it opened in reverse order, once, and the HTTP server before the clients', async () => {
    const shell = createServiceShell(runtime());
    const order: string[] = [];
    shell.onStop('aws', () => order.push('aws'));
    shell.onStop('fm-client', async () => {
      order.push('fm-client');
    });
    const http = await shell.serve(shell.app([]), { port: 0, host: '127.0.0.1' });
    shell.onStop('consumer', () => order.push('consumer'));
    await Promise.all([shell.stop(), shell.stop()]);
    expect(order).toEqual(['consumer', 'fm-client', 'aws']);
    await expect(fetch(`${http.url}/healthz`)).rejects.toThrow();
  });

  it('runs the later steps when one fails, then rejects with the first failure', async () => {
    const shell = createServiceShell(runtime());
    const ran: string[] = [];
    shell.onStop('aws', () => ran.push('aws'));
    shell.onStop('broken', () => {
      throw new Error('boom');
    });
    await expect(shell.stop()).rejects.toThrow('boom');
    expect(ran).toEqual(['aws']);
  });

  it('is registered with the runtime shutdown, so a signal stops the service', async () => {
    const rt = runtime();
    const shell = createServiceShell(rt);
    const ran: string[] = [];
    shell.onStop('aws', () => ran.push('aws'));
    expect(await rt.shutdown.trigger('SIGTERM')).toBe(0);
    expect(ran).toEqual(['aws']);
  });

  it('serves ops routes, and answers unknown paths and errors in the one JSON error shape', async () => {
    const shell = createServiceShell(runtime());
    const app = shell.app([]);
    app.post('/json', jsonBody({ limitBytes: 10 }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/refused', () => {
      throw httpError('GONE', 410, { ja: 'ありません', en: 'Gone' }, { hint: 'x' }, { 'retry-after': '3' });
    });
    app.get('/boom', () => {
      throw new Error('unexpected');
    });
    const http = await shell.serve(app, { port: 0, host: '127.0.0.1' });
    try {
      const health = await fetch(`${http.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-request-id')).toBeTruthy();
      expect(health.headers.get('x-powered-by')).toBeNull();

      const missing = await fetch(`${http.url}/nope`, { headers: { 'accept-language': 'ja' } });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-language')).toBe('ja');
      expect(await missing.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'ページが見つかりません。' },
      });

      const refused = await fetch(`${http.url}/refused?lang=en`);
      expect(refused.status).toBe(410);
      expect(refused.headers.get('retry-after')).toBe('3');
      expect(await refused.json()).toEqual({ error: { code: 'GONE', message: 'Gone', hint: 'x' } });

      const tooLarge = await fetch(`${http.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': 'en' },
        body: JSON.stringify({ long: 'x'.repeat(100) }),
      });
      expect(tooLarge.status).toBe(413);
      expect((await tooLarge.json()).error.code).toBe('PAYLOAD_TOO_LARGE');

      const badJson = await fetch(`${http.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      });
      expect(badJson.status).toBe(400);
      expect((await badJson.json()).error.code).toBe('INVALID_JSON');

      const boom = await fetch(`${http.url}/boom`, { headers: { 'accept-language': 'en' } });
      expect(boom.status).toBe(500);
      expect(await boom.json()).toEqual({
        error: { code: 'INTERNAL', message: 'Sorry, something went wrong. Please try again.' },
      });
    } finally {
      await shell.stop();
    }
  });
});
