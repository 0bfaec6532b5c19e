import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createServiceShell } from './service-shell';
import { jsonBody, jsonMediaType, parseJsonBody } from './json-body';
import { quietRuntime } from './test-support/quiet-runtime';

describe('jsonMediaType', () => {
  it('reads application/json and +json types in UTF-8, and nothing else', () => {
    expect(jsonMediaType('application/json')).toBe('json');
    expect(jsonMediaType('Application/JSON; charset=UTF-8')).toBe('json');
    expect(jsonMediaType('application/problem+json; charset="utf-8"')).toBe('json');
    expect(jsonMediaType('application/json; charset=latin1')).toBe('unsupported-charset');
    expect(jsonMediaType('text/plain')).toBe('other');
    expect(jsonMediaType('application/jsonp')).toBe('other');
    expect(jsonMediaType(undefined)).toBe('other');
  });
});

describe('parseJsonBody', () => {
  it('accepts objects and arrays (after a BOM or whitespace), an empty body as {}, and refuses the rest', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonBody('\uFEFF [1]')).toEqual({ ok: true, value: [1] });
    expect(parseJsonBody('  ')).toEqual({ ok: true, value: {} });
    expect(parseJsonBody('"text"')).toEqual({ ok: false });
    expect(parseJsonBody('42')).toEqual({ ok: false });
    expect(parseJsonBody('{')).toEqual({ ok: false });
  });
});

describe('jsonBody on a service app', () => {
  const shell = createServiceShell(quietRuntime('json-body-test'));
  let url: string;
  beforeAll(async () => {
    const app = shell.app([]);
    app.post('/echo', jsonBody({ limitBytes: 64 }), (req, res) => {
      res.json({ body: req.body ?? null });
    });
    url = (await shell.serve(app, { port: 0, host: '127.0.0.1' })).url;
  });
  afterAll(() => shell.stop());

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    }).then(async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> }));
  const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string }).code;

  it('gives the route the parsed object, Japanese text intact', async () => {
    expect(await post(JSON.stringify({ message: '新刊は？' }))).toEqual({
      status: 200,
      json: { body: { message: '新刊は？' } },
    });
  });

  it('leaves req.body unset for other media types', async () => {
    expect((await post('{"a":1}', { 'content-type': 'text/plain' })).json).toEqual({ body: null });
  });

  it('inflates gzip, deflate and br bodies', async () => {
    const text = JSON.stringify({ a: 'x' });
    for (const [encoding, body] of [
      ['gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['br', brotliCompressSync(text)],
    ] as const)
      expect(await post(body, { 'content-encoding': encoding })).toEqual({
        status: 200,
        json: { body: { a: 'x' } },
      });
  });

  it('answers 400 INVALID_JSON for bad JSON, a scalar, another charset or an unknown encoding', async () => {
    for (const r of [
      await post('{'),
      await post('"just a string"'),
      await post('{}', { 'content-type': 'application/json; charset=latin1' }),
      await post('{}', { 'content-encoding': 'compress' }),
      await post(Buffer.from('not gzip'), { 'content-encoding': 'gzip' }),
    ]) {
      expect(r.status).toBe(400);
      expect(code(r)).toBe('INVALID_JSON');
    }
  });

  it('answers 413 for a body over the limit, declared or streamed, and also once inflated', async () => {
    const big = JSON.stringify({ long: 'x'.repeat(100) });
    const declared = await post(big);
    expect([declared.status, code(declared)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const inflated = await post(gzipSync(big), { 'content-encoding': 'gzip' });
    expect([inflated.status, code(inflated)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    // Chunked, no content-length: refused once the limit is passed; the connection still answers.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"long":"');
      req.write('x'.repeat(200));
      req.end('"}');
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await post('{"after":true}')).json).toEqual({ body: { after: true } });
  });
});
