import WebSocket from 'ws';
import type { Socket } from 'node:net';
import type { LocalStack } from '@manga-assist/local-stack';
import type { BedrockEmulator } from '@manga-assist/bedrock-emulator';
import { openWs, startGateway, startStack, until, type Gateway } from './test-support/harness';

const wsUrl = (gw: Gateway) => `${gw.url.replace('http', 'ws')}/v1/ws`;

const closed = (ws: WebSocket) =>
  new Promise<number>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(1006);
    ws.once('close', (code) => resolve(code));
  });

async function metricValue(gw: Gateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('chat-gateway WebSocket bounds (slow consumers, dead peers, frame size, one answer at a time, connection cap)', () => {
  let stack: LocalStack;
  let bedrock: BedrockEmulator;
  /** Small outgoing buffer cap and frame size; default (30 s) heartbeat so reaping never interferes. */
  let gw: Gateway;
  /** 100 ms heartbeat and at most 2 connections. */
  let tight: Gateway;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    if (!stack.bedrock) throw new Error('the local stack started without its Bedrock emulator');
    bedrock = stack.bedrock;
    const common = { REDIS_KEY_PREFIX: stack.redisKeyPrefix, FM_CACHE_ENABLED: 'false' };
    [gw, tight] = await Promise.all([
      startGateway(stack, {
        ...common,
        WS_MAX_BUFFERED_BYTES: String(64 * 1024),
        WS_MAX_PAYLOAD_BYTES: '4096',
        MAX_OUTPUT_TOKENS: '10000000',
      }),
      startGateway(stack, { ...common, WS_HEARTBEAT_MS: '100', WS_MAX_CONNECTIONS: '2' }),
    ]);
    token = await gw.token('ws-reader');
  });
  afterEach(() => {
    bedrock.resetFaults();
    bedrock.setProfile('zero', 1);
  });
  afterAll(async () => {
    await Promise.all([gw.stop(), tight.stop()]);
    await stack.stop();
  });

  it('cuts off a client that stops reading once its unsent bytes pass WS_MAX_BUFFERED_BYTES, and cancels the model call', async () => {
    // The answer opens with ~6.4 MB that cost the emulator almost no time (whitespace is free in
    // its token count: 16 KB of spaces + one letter = 1 token), more than the ~4 MB the loopback
    // socket buffers swallow before bytes wait in user space; then a tail of 6,000 one-token words
    // at ~2 ms a token keeps the model call running for ~12 s, however slowly the gateway relays.
    const heavy = `${' '.repeat(16 * 1024)}a`;
    const reply = heavy.repeat(400) + ' word'.repeat(6000);
    bedrock.setProfile('demo', 2 / 25);
    bedrock.setFaults({ nextReply: reply });
    const before = bedrock.stats();

    const ws = new WebSocket(wsUrl(gw), { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let received = 0;
    ws.on('message', () => received++);
    ws.send(
      JSON.stringify({ id: 'slow', action: 'sendMessage', data: { message: 'とても長い回答をください' } }),
    );
    (ws as unknown as { _socket: Socket })._socket.pause();

    await until(() => bedrock.stats().aborted > before.aborted, 'the model call to be aborted', 10_000);
    expect(bedrock.stats().completed).toBe(before.completed);
    const cut = gw.logs.find((l) => l.msg === 'websocket client not reading: cut off');
    // Bounded: cut at the first frame sent past the cap (a delta is 3 tokens: at most 3 x 16 KB).
    expect(cut?.bufferedAmount).toBeGreaterThan(64 * 1024);
    expect(cut?.bufferedAmount).toBeLessThan(64 * 1024 + 2 * (3 * heavy.length + 200));
    await until(() => gw.gateway.openWebSockets === 0, 'the server to drop the connection');
    expect(await metricValue(gw, /^chat_websocket_events_total\{event="slow_consumer_cut"/)).toBe(1);

    (ws as unknown as { _socket: Socket })._socket.resume();
    await closed(ws);
    expect(received).toBeLessThan(2000); // of ~2,130 deltas in the whole answer
  });

  it('terminates a client that stops answering pings within two heartbeats, and keeps a live one', async () => {
    const tightToken = await tight.token('ws-heartbeat');
    const live = await openWs(tight.url, tightToken);
    const dead = new WebSocket(wsUrl(tight), {
      headers: { authorization: `Bearer ${tightToken}` },
      autoPong: false,
    });
    await new Promise((resolve, reject) => dead.once('open', resolve).once('error', reject));
    let pings = 0;
    dead.on('ping', () => pings++);
    let livePings = 0;
    live.ws.on('ping', () => livePings++);

    expect(await closed(dead)).toBe(1006); // terminated, no close handshake
    // One unanswered ping marks it; the next heartbeat terminates it (two if it joined mid-interval).
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(pings).toBeLessThanOrEqual(2);
    expect(await metricValue(tight, /^chat_websocket_events_total\{event="reaped"/)).toBeGreaterThanOrEqual(
      1,
    );

    // The client that answers keeps its connection through further heartbeats and still chats.
    await until(() => livePings >= pings + 3, 'more heartbeats on the live connection');
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    const frames = await live.request({
      action: 'sendMessage',
      data: { message: 'まだつながっていますか?' },
    });
    expect(frames[frames.length - 1].type).toBe('final');
    await live.close();
  });

  it('accepts a frame up to WS_MAX_PAYLOAD_BYTES and closes the connection with 1009 past it', async () => {
    const client = await openWs(gw.url, token);
    const envelope = (size: number) => {
      const base = JSON.stringify({ id: 'big', action: 'getHistory', data: { sessionId: 'none' }, pad: '' });
      return JSON.stringify({
        id: 'big',
        action: 'getHistory',
        data: { sessionId: 'none' },
        pad: 'x'.repeat(size - base.length),
      });
    };
    const atLimit = envelope(4096);
    expect(Buffer.byteLength(atLimit)).toBe(4096);
    const answer = new Promise<unknown>((resolve) =>
      client.ws.once('message', (raw) => resolve(JSON.parse(raw.toString()))),
    );
    client.ws.send(atLimit);
    expect(await answer).toMatchObject({ id: 'big', type: 'error', code: 'SESSION_NOT_FOUND' });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);

    const code = closed(client.ws);
    client.ws.send(envelope(4097));
    expect(await code).toBe(1009);
  });

  it('answers a second sendMessage on the same connection with BUSY while the first is streaming, without a model call', async () => {
    bedrock.setFaults({ extraLatencyMs: 400 });
    const client = await openWs(gw.url, token, { 'accept-language': 'ja' });
    const requestsBefore = bedrock.stats().requests;
    const [first, second] = await Promise.all([
      client.request({ action: 'sendMessage', data: { message: '一つ目の質問' } }),
      client.request({ action: 'sendMessage', data: { message: '二つ目の質問' } }),
    ]);
    expect(second).toEqual([
      {
        type: 'error',
        id: expect.any(String),
        code: 'BUSY',
        message: '前のメッセージへの回答を作成中です。完了するまでお待ちください。',
      },
    ]);
    expect(first[0].type).toBe('start');
    expect(first[first.length - 1].type).toBe('final');
    expect(bedrock.stats().requests).toBe(requestsBefore + 1);

    // Once the first answer is done the connection takes the next message.
    bedrock.resetFaults();
    const third = await client.request({
      action: 'sendMessage',
      data: { sessionId: first[0].sessionId, message: '三つ目の質問' },
    });
    expect(third[third.length - 1].type).toBe('final');
    await client.close();
  });

  it('refuses connections past WS_MAX_CONNECTIONS with 503, even when they arrive at once, and admits again after a close', async () => {
    const tightToken = await tight.token('ws-cap');
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => openWs(tight.url, tightToken)));
    const open = attempts.filter((a) => a.status === 'fulfilled').map((a) => a.value);
    const refused = attempts.filter((a) => a.status === 'rejected').map((a) => String(a.reason));
    expect(open).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const reason of refused) expect(reason).toMatch(/503/);
    expect(tight.gateway.openWebSockets).toBe(2);

    await open[0].close();
    await until(() => tight.gateway.openWebSockets === 1, 'the server to see the close');
    const again = await openWs(tight.url, tightToken);
    expect(tight.gateway.openWebSockets).toBe(2);
    await Promise.all([again.close(), open[1].close()]);
  });
});
