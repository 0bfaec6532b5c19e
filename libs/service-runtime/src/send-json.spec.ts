import { createServiceShell } from './service-shell';
import { sendJson } from './send-json';
import { quietRuntime } from './test-support/quiet-runtime';

describe('sendJson on a service app', () => {
  const shell = createServiceShell(quietRuntime('send-json-test'));
  let url: string;
  beforeAll(async () => {
    const app = shell.app([]);
    app.get('/answer', (_req, res) =>
      sendJson(res, 202, { message: '受け付けました' }, { 'retry-after': '3' }),
    );
    url = (await shell.serve(app, { port: 0, host: '127.0.0.1' })).url;
  });
  afterAll(() => shell.stop());

  it('writes the status, the headers given, UTF-8 JSON and its byte length', async () => {
    const res = await fetch(`${url}/answer`);
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ message: '受け付けました' });
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
  });

  it('answers a HEAD with the headers and no body', async () => {
    const res = await fetch(`${url}/answer`, { method: 'HEAD' });
    expect(res.status).toBe(202);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });
});
