// npm run bench -- gateway [requests] [rate]
//
// chat-gateway overhead (DESIGN.md §6), the gateway bundle (dist/apps/chat-gateway/main.js, built
// if missing) running as its own process against the zero-latency Bedrock emulator, dynalite and
// Redis of an in-process local stack:
//  1. POST /v1/chat sendMessage at a fixed rate (open loop, default 200 req/s) vs direct fm-client
//     invoke calls against the same emulator at the same rate: p50/p99 added latency and ratio.
//     The gateway path includes JWT verification, validation, the Redis rate limiter, a session
//     read + conditional write in dynalite and the InferenceCompleted publish (async).
//  2. WebSocket first-delta overhead: send -> first delta frame vs fm-client stream -> first delta.
//  3. Memory per idle WebSocket: gateway RSS and heap (from its /metrics) before/after 10,000 open.
// The response cache is off so every request reaches the model.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createFmClient } from '@manga-assist/fm-client';
import { startLocalStack } from '@manga-assist/local-stack';

const REQUESTS = Number(process.argv[2] ?? process.env.BENCH_REQUESTS ?? 2000);
const RATE = Number(process.argv[3] ?? process.env.BENCH_RATE ?? 200);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
const WS_SAMPLES = Number(process.env.BENCH_WS_SAMPLES ?? 300);
const root = join(__dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'apps', 'chat-gateway', 'main.js');
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Open loop: request i starts at t0 + i / rate whatever the previous ones are doing. */
async function atRate(n: number, rate: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    all.push(
      (async () => {
        const started = performance.now();
        await run(i);
        latencies.push(performance.now() - started);
      })(),
    );
  }
  await Promise.all(all);
  return latencies.sort((a, b) => a - b);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

async function main() {
  if (!existsSync(bundle)) spawnSync('npx', ['nx', 'build', 'chat-gateway'], { cwd: root, stdio: 'inherit' });
  const stack = await startLocalStack({ bedrock: { profile: 'zero' } });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(join(root, 'node_modules', '.bin', 'node'), [bundle], {
    env: {
      ...process.env,
      ...stack.env,
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTH_JWT_SECRET: SECRET,
      AUTH_DEV_ISSUER: 'true',
      FM_CACHE_ENABLED: 'false',
      RATE_LIMIT_POINTS: '10000000',
      WS_MAX_CONNECTIONS: String(IDLE_SOCKETS + 100),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 200) throw new Error('gateway did not start');
      await sleep(100);
    }
    const { token } = (await (await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"bench"}' })).json()) as { token: string };
    const fm = createFmClient({ bedrock: stack.clients.bedrock });
    const message = (i: number) => `おすすめの新刊マンガを教えて #${i}`;

    // Warm-up both paths (JIT, keep-alive sockets, table pages).
    for (let i = 0; i < 200; i++) {
      await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: message(-i) }] });
      await fetch(`${url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ action: 'sendMessage', data: { message: message(-i) } }) });
    }

    const direct = await atRate(REQUESTS, RATE, async (i) => {
      await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: message(i) }] });
    });
    let failures = 0;
    const viaGateway = await atRate(REQUESTS, RATE, async (i) => {
      const res = await fetch(`${url}/v1/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ action: 'sendMessage', data: { message: message(i) } }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
    });
    console.log(`\nchat-gateway overhead, ${REQUESTS} requests at ${RATE} req/s (open loop), zero-latency emulator, cache off`);
    console.log(`  direct fm-client invoke : p50 ${fmt(pct(direct, 50))}  p99 ${fmt(pct(direct, 99))}`);
    console.log(`  POST /v1/chat           : p50 ${fmt(pct(viaGateway, 50))}  p99 ${fmt(pct(viaGateway, 99))}  (non-200: ${failures})`);
    console.log(`  added by the gateway    : p50 ${fmt(pct(viaGateway, 50) - pct(direct, 50))}  p99 ${fmt(pct(viaGateway, 99) - pct(direct, 99))}`);
    console.log(`  ratio gateway/direct    : p50 ${(pct(viaGateway, 50) / pct(direct, 50)).toFixed(2)}x  p99 ${(pct(viaGateway, 99) / pct(direct, 99)).toFixed(2)}x`);

    // Closed loop, one request at a time: the per-request cost without queueing.
    const seqDirect: number[] = [];
    const seqGateway: number[] = [];
    for (let i = 0; i < WS_SAMPLES; i++) {
      let t = performance.now();
      await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: message(30_000 + i) }] });
      seqDirect.push(performance.now() - t);
      t = performance.now();
      const res = await fetch(`${url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ action: 'sendMessage', data: { message: message(30_000 + i) } }) });
      await res.arrayBuffer();
      seqGateway.push(performance.now() - t);
    }
    seqDirect.sort((a, b) => a - b);
    seqGateway.sort((a, b) => a - b);
    console.log(`\nsequential (one in flight), ${WS_SAMPLES} requests`);
    console.log(`  direct fm-client invoke : p50 ${fmt(pct(seqDirect, 50))}  p99 ${fmt(pct(seqDirect, 99))}`);
    console.log(`  POST /v1/chat           : p50 ${fmt(pct(seqGateway, 50))}  p99 ${fmt(pct(seqGateway, 99))}`);
    console.log(`  added by the gateway    : p50 ${fmt(pct(seqGateway, 50) - pct(seqDirect, 50))}  p99 ${fmt(pct(seqGateway, 99) - pct(seqDirect, 99))}  ratio p50 ${(pct(seqGateway, 50) / pct(seqDirect, 50)).toFixed(2)}x`);

    // First delta: direct stream vs through the WebSocket.
    const directFirst: number[] = [];
    for (let i = 0; i < WS_SAMPLES; i++) {
      const started = performance.now();
      let first = 0;
      for await (const ev of fm.stream({ model: 'haiku', messages: [{ role: 'user', content: message(10_000 + i) }] })) {
        if (ev.type === 'delta' && !first) first = performance.now() - started;
      }
      directFirst.push(first);
    }
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const wsFirst: number[] = [];
    for (let i = 0; i < WS_SAMPLES; i++) {
      const started = performance.now();
      let first = 0;
      await new Promise<void>((resolve) => {
        const onMessage = (raw: WebSocket.RawData) => {
          const frame = JSON.parse(raw.toString()) as { type: string };
          if (frame.type === 'delta' && !first) first = performance.now() - started;
          if (frame.type === 'final' || frame.type === 'error') {
            ws.off('message', onMessage);
            resolve();
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id: `b${i}`, action: 'sendMessage', data: { message: message(20_000 + i) } }));
      });
      wsFirst.push(first);
    }
    ws.close();
    directFirst.sort((a, b) => a - b);
    wsFirst.sort((a, b) => a - b);
    console.log(`\nfirst delta, ${WS_SAMPLES} sequential streams`);
    console.log(`  direct fm-client stream : p50 ${fmt(pct(directFirst, 50))}  p99 ${fmt(pct(directFirst, 99))}`);
    console.log(`  WebSocket /v1/ws        : p50 ${fmt(pct(wsFirst, 50))}  p99 ${fmt(pct(wsFirst, 99))}`);
    console.log(`  added by the gateway    : p50 ${fmt(pct(wsFirst, 50) - pct(directFirst, 50))} (includes session read, rate limit, prompt build)`);

    // Idle WebSockets.
    const before = { rss: await metric(url, 'process_resident_memory_bytes'), heap: await metric(url, 'nodejs_heap_size_used_bytes') };
    const sockets: WebSocket[] = [];
    for (let i = 0; i < IDLE_SOCKETS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, IDLE_SOCKETS - i) }, async () => {
          const s = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
          await new Promise((r, j) => s.once('open', r).once('error', j));
          sockets.push(s);
        }),
      );
    }
    await sleep(2000);
    const open = await metric(url, 'chat_websockets_open');
    const after = { rss: await metric(url, 'process_resident_memory_bytes'), heap: await metric(url, 'nodejs_heap_size_used_bytes') };
    console.log(`\nidle WebSockets: ${open} open on the gateway`);
    console.log(`  RSS  ${(before.rss / 2 ** 20).toFixed(1)} MB -> ${(after.rss / 2 ** 20).toFixed(1)} MB: ${((after.rss - before.rss) / IDLE_SOCKETS / 1024).toFixed(1)} KB per socket`);
    console.log(`  heap ${(before.heap / 2 ** 20).toFixed(1)} MB -> ${(after.heap / 2 ** 20).toFixed(1)} MB: ${((after.heap - before.heap) / IDLE_SOCKETS / 1024).toFixed(1)} KB per socket`);
    for (const s of sockets) s.terminate();
    await fm.close();
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
