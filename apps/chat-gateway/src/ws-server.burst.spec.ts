import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket from 'ws';
import { createLogger } from '@manga-assist/service-runtime';
import { attachChatWebSocket, type ChatWsServer, type WsConnection } from './ws-server';

describe('WebSocket frames sent in a burst (the deltas of one model chunk)', () => {
  let server: Server;
  let wss: ChatWsServer;
  let url: string;
  let onMessage: (conn: WsConnection) => void = () => undefined;

  beforeAll(async () => {
    server = createServer();
    wss = attachChatWebSocket({
      server,
      path: '/v1/ws',
      verifier: { verify: async () => ({ userId: 'u1', roles: [] }) },
      logger: createLogger({ service: 'test', level: 'silent' }),
      maxPayloadBytes: 4096,
      heartbeatMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
      maxConnections: 10,
      onMessage: (conn) => onMessage(conn),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ws`;
  });
  afterAll(async () => {
    await wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends one frame, then collects `n` frames and how many reads of the client's socket brought them. */
  async function exchange(n: number): Promise<{ frames: { seq: number; text?: string }[]; reads: number }> {
    const ws = new WebSocket(url, { headers: { authorization: 'Bearer test' } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let reads = 0;
    (ws as unknown as { _socket: Socket })._socket.on('data', () => reads++);
    const frames: { seq: number; text?: string }[] = [];
    await new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        frames.push(JSON.parse(raw.toString()));
        if (frames.length === n) resolve();
      });
      ws.send('go');
    });
    ws.close();
    return { frames, reads };
  }

  it('writes the frames sent in one turn of the event loop at once, in order', async () => {
    onMessage = (conn) => {
      for (let seq = 0; seq < 30; seq++) conn.sendBatched({ type: 'delta', seq });
    };
    const { frames, reads } = await exchange(30);
    expect(frames.map((f) => f.seq)).toEqual([...Array(30).keys()]);
    expect(reads).toBe(1);
  });

  it('keeps the order of a frame sent frame by frame after a burst in the same turn', async () => {
    onMessage = (conn) => {
      conn.sendBatched({ type: 'delta', seq: 0 });
      conn.sendBatched({ type: 'delta', seq: 1 });
      conn.send({ type: 'final', seq: 2 });
    };
    const { frames } = await exchange(3);
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2]);
  });

  it('holds back a few KB at most: a large burst still arrives whole and in order', async () => {
    const text = 'あ'.repeat(2000); // 6 KB a frame: the burst leaves in several writes
    onMessage = (conn) => {
      for (let seq = 0; seq < 40; seq++) conn.sendBatched({ type: 'delta', seq, text });
    };
    const { frames } = await exchange(40);
    expect(frames.map((f) => f.seq)).toEqual([...Array(40).keys()]);
    expect(frames.every((f) => f.text === text)).toBe(true);
  });

  it('frames a later turn sends leave in a write of their own', async () => {
    onMessage = (conn) => {
      conn.sendBatched({ type: 'delta', seq: 0 });
      setTimeout(() => conn.sendBatched({ type: 'delta', seq: 1 }), 20);
    };
    const { frames, reads } = await exchange(2);
    expect(frames.map((f) => f.seq)).toEqual([0, 1]);
    expect(reads).toBe(2);
  });
});
