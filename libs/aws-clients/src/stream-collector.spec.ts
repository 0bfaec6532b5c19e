import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { collectStream } from './stream-collector';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('collectStream (how the clients read response bodies)', () => {
  it('joins the chunks in order, bytes and strings alike', async () => {
    const body = Readable.from([Buffer.from('こんにちは、'), 'manga ', new Uint8Array([0x21])]);
    expect(text(await collectStream(body))).toBe('こんにちは、manga !');
  });

  it('gives an empty array for an empty body', async () => {
    expect((await collectStream(Readable.from([]))).byteLength).toBe(0);
  });

  it("rejects with the stream's error", async () => {
    const body = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(collectStream(body)).rejects.toThrow('connection reset');
  });

  it("hands a body that is not async-iterable (a Blob) to the SDK's collector", async () => {
    expect(text(await collectStream(new Blob(['blob body'])))).toBe('blob body');
  });

  describe('over HTTP keep-alive with the SDK handler', () => {
    let server: Server;
    const connections: unknown[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end(JSON.stringify({ path: req.url, pad: 'x'.repeat(20_000) })));
      });
      server.on('connection', (socket) => connections.push(socket));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('reads each whole answer and leaves the socket to the next request', async () => {
      const handler = new NodeHttpHandler({});
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 20; i++) {
        const request = {
          protocol: 'http:',
          hostname: '127.0.0.1',
          port,
          method: 'GET',
          path: `/r${i}`,
          query: {},
          headers: { host: `127.0.0.1:${port}` },
        };
        const { response } = await handler.handle(
          request as unknown as Parameters<NodeHttpHandler['handle']>[0],
        );
        const answer = JSON.parse(text(await collectStream(response.body))) as { path: string; pad: string };
        expect(answer.path).toBe(`/r${i}`);
        expect(answer.pad).toHaveLength(20_000);
      }
      expect(connections).toHaveLength(1);
      handler.destroy();
    });
  });
});
