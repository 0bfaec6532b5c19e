import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface ApiDocs {
  url: string;
  stop(): Promise<void>;
}

/** Only the files the page loads, from the installed swagger-ui-dist (no CDN: works offline). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'text/javascript',
  'swagger-ui-standalone-preset.js': 'text/javascript',
};

const page = (services: string[]) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MangaAssist API docs</title>
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/swagger-ui/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({
  dom_id: '#ui',
  urls: ${JSON.stringify(services.map((name) => ({ name, url: `/specs/${name}.json` })))},
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
</script></body></html>`;

/**
 * The local docs page (`npm start`): Swagger UI over each running service's own `/openapi.json`,
 * fetched here server-side (the page and the services are on different ports) with the service's
 * address as the document's server.
 */
export async function startApiDocs({
  services,
  host = '127.0.0.1',
  port = 0,
}: {
  services: { name: string; url: string }[];
  host?: string;
  port?: number;
}): Promise<ApiDocs> {
  const assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const byName = new Map(services.map((s) => [s.name, s.url]));
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET')
      return send(res, 405, 'application/json', JSON.stringify({ error: 'GET only' }));
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', page(services.map((s) => s.name)));
    const asset = /^\/swagger-ui\/([\w.-]+)$/.exec(path)?.[1];
    if (asset && ASSETS[asset]) return send(res, 200, ASSETS[asset], await readFile(join(assetDir, asset)));
    const spec = /^\/specs\/([\w-]+)\.json$/.exec(path)?.[1];
    const base = spec ? byName.get(spec) : undefined;
    if (base) {
      try {
        const answer = await fetch(`${base}/openapi.json`, { signal: AbortSignal.timeout(5000) });
        if (!answer.ok) throw new Error(`${base}/openapi.json answered ${answer.status}`);
        const document = (await answer.json()) as Record<string, unknown>;
        return send(res, 200, 'application/json', JSON.stringify({ ...document, servers: [{ url: base }] }));
      } catch (error) {
        return send(
          res,
          502,
          'application/json',
          JSON.stringify({ error: `${spec} is not answering: ${(error as Error).message}` }),
        );
      }
    }
    send(res, 404, 'application/json', JSON.stringify({ error: 'not found' }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, 'application/json', JSON.stringify({ error: String(error) })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
