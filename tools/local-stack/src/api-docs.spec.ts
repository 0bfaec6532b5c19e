import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiDocs, type ApiDocs } from './api-docs';

describe('local API docs page (Swagger UI over each service /openapi.json, offline)', () => {
  let service: Server;
  let serviceUrl: string;
  let docs: ApiDocs;
  const document = { openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} };

  beforeAll(async () => {
    service = createServer((req, res) => {
      if (req.url === '/openapi.json')
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    docs = await startApiDocs({
      services: [
        { name: 'chat-gateway', url: serviceUrl },
        { name: 'down', url: 'http://127.0.0.1:1' },
      ],
    });
  });
  afterAll(async () => {
    await docs.stop();
    await new Promise((resolve) => service.close(resolve));
  });

  it('serves the page and the Swagger UI files from node_modules (no CDN)', async () => {
    const html = await (await fetch(`${docs.url}/`)).text();
    expect(html).toContain('/specs/chat-gateway.json');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const bundle = await fetch(`${docs.url}/swagger-ui/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${docs.url}/swagger-ui/package.json`)).status).toBe(404);
  });

  it("relays a service's own document with the service as its server, and says when one is down", async () => {
    const spec = await (await fetch(`${docs.url}/specs/chat-gateway.json`)).json();
    expect(spec).toEqual({ ...document, servers: [{ url: serviceUrl }] });
    const down = await fetch(`${docs.url}/specs/down.json`);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { error: string }).error).toMatch(/down is not answering/);
    expect((await fetch(`${docs.url}/specs/unknown.json`)).status).toBe(404);
  });
});
