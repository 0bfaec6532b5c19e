// npm run bench -- gateway [requests] [rate]
//
// chat-gateway overhead (docs/architecture.md#performance), the gateway bundle (dist/apps/chat-gateway/main.js, built
// if missing) running as its own process against the zero-latency Bedrock emulator, dynalite and
// Redis of an in-process local stack. Three paths are measured, open loop at a fixed rate (default
// 200 req/s) and sequentially (one in flight):
//  - direct: fm-client invoke against the emulator (the bare model call);
//  - baseline: direct + one conditional session PutItem to the same dynalite, i.e. what any
//    gateway inherently has to do per message (answer, then persist the exchange);
//  - gateway: POST /v1/chat sendMessage (JWT verification, validation, the Redis rate limiter, the
//    model call, the session write, MessageReceived + InferenceCompleted queued for the bus).
// It prints the gateway's added latency over both, p50/p99 and ratios, and the gateway process's
// CPU per request (process_cpu_*_seconds_total from its /metrics before/after).
// Then: tracing off vs on (a second gateway process exporting every request's spans over OTLP/HTTP
// to a receiver in this process; alternating rounds; CPU per request and p99 added latency for
// both, BENCH_TRACING_ROUNDS rounds of requests/2), WebSocket first-delta overhead, and memory per
// idle WebSocket (10,000 open).
// The response cache is off so every request reaches the model. The bench process itself hosts
// dynalite, the emulator and the EventBridge router, on the same machine's cores as the gateway.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createFmClient } from '@manga-assist/fm-client';
import { startLocalStack, startTraceCollector } from '@manga-assist/local-stack';

const REQUESTS = Number(process.argv[2] ?? process.env.BENCH_REQUESTS ?? 2000);
const RATE = Number(process.argv[3] ?? process.env.BENCH_RATE ?? 200);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
const WS_SAMPLES = Number(process.env.BENCH_WS_SAMPLES ?? 300);
const SEQ_SAMPLES = Number(process.env.BENCH_SEQ_SAMPLES ?? 500);
const TRACING_ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 6);
// BENCH_TRACING_ONLY=1: only the tracing off/on comparison (quicker; on a busy machine).
const root = join(__dirname, '..', '..', '..');
// BENCH_GATEWAY_BUNDLE: another build of the gateway (e.g. a copy of an older one, to compare).
const bundle = process.env.BENCH_GATEWAY_BUNDLE ?? join(root, 'dist', 'apps', 'chat-gateway', 'main.js');
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
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

/** The gateway's CPU time (user + system, ms) from its own prom-client process metrics. */
async function gatewayCpuMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : NaN;
  };
  return (value('process_cpu_user_seconds_total') + value('process_cpu_system_seconds_total')) * 1000;
}

const benchCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Stats {
  p50: number;
  p99: number;
}
const stats = (sorted: number[]): Stats => ({ p50: pct(sorted, 50), p99: pct(sorted, 99) });
const row = (label: string, s: Stats, extra = '') =>
  console.log(`  ${label.padEnd(34)}: p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}${extra}`);
function added(gateway: Stats, over: Stats, label: string) {
  console.log(
    `  gateway added over ${label.padEnd(15)}: p50 ${fmt(gateway.p50 - over.p50)}  p99 ${fmt(gateway.p99 - over.p99)}` +
      `   ratio p50 ${(gateway.p50 / over.p50).toFixed(2)}x  p99 ${(gateway.p99 / over.p99).toFixed(2)}x`,
  );
}

async function main() {
  if (!existsSync(bundle)) spawnSync('npx', ['nx', 'build', 'chat-gateway'], { cwd: root, stdio: 'inherit' });
  const stack = await startLocalStack({ bedrock: { profile: 'zero' } });
  const collector = await startTraceCollector({ maxTraces: 200 });
  const gateways: ChildProcess[] = [];
  const startGateway = async (extraEnv: Record<string, string>) => {
    const port = await freePort();
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
        OTEL_TRACES_EXPORTER: 'none',
        ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    gateways.push(child);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 200) throw new Error('gateway did not start');
      await sleep(100);
    }
    return { port, url };
  };
  try {
    const { port, url } = await startGateway({});
    const { token } = (await (
      await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"userId":"bench"}',
      })
    ).json()) as { token: string };
    const fm = createFmClient({ bedrock: stack.clients.bedrock });
    const message = (i: number) => `おすすめの新刊マンガを教えて #${i}`;
    const direct = async (i: number) => {
      await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: message(i) }] });
    };
    // What the gateway must do anyway: the model call, then one conditional session write.
    const baseline = async (i: number) => {
      const { text } = await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: message(i) }] });
      const at = Date.now();
      await stack.clients.documentClient.send(
        new PutCommand({
          TableName: stack.names.tables.sessions,
          Item: {
            sessionId: randomUUID(),
            userId: 'bench',
            version: 1,
            messages: [
              { seq: 1, role: 'user', content: message(i), at },
              { seq: 2, role: 'assistant', content: text, at },
            ],
            summarizedThrough: 0,
            lastSeq: 2,
            createdAt: at,
            updatedAt: at,
            ttl: Math.floor(at / 1000) + 1800,
          },
          ConditionExpression: 'attribute_not_exists(sessionId)',
        }),
      );
    };
    let failures = 0;
    const viaGateway = (i: number) => viaGatewayAt(url, i);
    const viaGatewayAt = async (gatewayUrl: string, i: number) => {
      try {
        const res = await fetch(`${gatewayUrl}/v1/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ action: 'sendMessage', data: { message: message(i) } }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
      } catch {
        failures++; // counted with the non-200 answers (a reset or refused connection on a saturated machine)
      }
    };

    // Warm-up every path (JIT, keep-alive sockets, table pages).
    for (let i = 0; i < 300; i++) {
      await direct(-i);
      await baseline(-i);
      await viaGateway(-i);
    }

    console.log(
      `\nmachine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}.`,
    );
    console.log(
      'NOTE: this bench process also hosts dynalite, the Bedrock emulator and the EventBridge router (one',
    );
    console.log(
      'event loop), on the same cores as the gateway process: their CPU is part of every figure below.',
    );

    const compareTracing = async () => {
      // Tracing off vs on: a second gateway process, identical but for OTEL_TRACES_EXPORTER=otlp (every
      // request sampled, spans batched to an OTLP/HTTP receiver in this process, as to the collector
      // sidecar in AWS). Rounds alternate between the two so that load changes hit both alike.
      const traced = await startGateway({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'chat-gateway',
        OTEL_TRACES_SAMPLER: 'always_on',
      });
      for (let i = 0; i < 300; i++) await viaGatewayAt(traced.url, -i);
      const rounds = TRACING_ROUNDS;
      const perRound = Math.max(50, Math.floor(REQUESTS / 2));
      const runs = { off: { lat: [] as number[], cpu: 0 }, on: { lat: [] as number[], cpu: 0 } };
      const baseLat: number[] = [];
      let baseFailures = 0;
      failures = 0;
      for (let r = 0; r < rounds; r++) {
        for (const [name, target] of r % 2
          ? ([
              ['on', traced.url],
              ['off', url],
            ] as const)
          : ([
              ['off', url],
              ['on', traced.url],
            ] as const)) {
          const c0 = await gatewayCpuMs(target);
          runs[name].lat.push(
            ...(await atRate(perRound, RATE, (i) => viaGatewayAt(target, 50_000 + r * perRound + i))),
          );
          await sleep(1200); // the traced gateway's batch export (every 1 s) lands in its round
          runs[name].cpu += (await gatewayCpuMs(target)) - c0;
        }
        baseLat.push(
          ...(await atRate(Math.floor(perRound / 2), RATE, (i) =>
            baseline(60_000 + r * perRound + i).catch(() => void baseFailures++),
          )),
        );
      }
      const total = rounds * perRound;
      const base = stats(baseLat.sort((a, b) => a - b));
      const off = { ...stats(runs.off.lat.sort((a, b) => a - b)), cpu: runs.off.cpu / total };
      const on = { ...stats(runs.on.lat.sort((a, b) => a - b)), cpu: runs.on.cpu / total };
      const spans = collector.store.list(1).length
        ? collector.store.get(collector.store.list(1)[0].traceId)!.length
        : 0;
      console.log(
        `\ntracing off vs on: ${rounds} alternating rounds of ${perRound} POST /v1/chat at ${RATE} req/s per gateway (${total} each, non-200: ${failures}, baseline errors: ${baseFailures})`,
      );
      console.log(
        `  (on: OTEL_TRACES_EXPORTER=otlp, sampler always_on, ${spans} spans per request, batched OTLP/HTTP JSON export)`,
      );
      row('baseline: invoke + session PutItem', base);
      for (const [name, r] of [
        ['tracing off', off],
        ['tracing on', on],
      ] as const) {
        console.log(
          `  ${name.padEnd(12)}: CPU per request ${r.cpu.toFixed(3)} ms   p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}   p99 added over the baseline ${fmt(r.p99 - base.p99)}`,
        );
      }
      const cpuRatio = on.cpu / off.cpu;
      console.log(
        `  tracing on costs ${((cpuRatio - 1) * 100).toFixed(1)}% more CPU per request (ratio ${cpuRatio.toFixed(3)}; target <= 1.10: ${cpuRatio <= 1.1 ? 'met' : 'NOT met'}), p99 ${fmt(on.p99 - off.p99)} more`,
      );
    };

    await compareTracing();
    if (process.env.BENCH_TRACING_ONLY === '1') return;

    // Open loop, one path after the other.
    const openDirect = stats(await atRate(REQUESTS, RATE, direct));
    const openBaseline = stats(await atRate(REQUESTS, RATE, baseline));
    failures = 0;
    let cpu0 = await gatewayCpuMs(url);
    const bench0 = benchCpuMs();
    const openGateway = stats(await atRate(REQUESTS, RATE, viaGateway));
    await sleep(300); // publishes of the last requests
    const openCpu = ((await gatewayCpuMs(url)) - cpu0) / REQUESTS;
    const openBenchCpu = (benchCpuMs() - bench0) / REQUESTS;
    console.log(
      `\nopen loop: ${REQUESTS} requests per path at ${RATE} req/s, zero-latency emulator, cache off`,
    );
    row('direct fm-client invoke', openDirect);
    row('baseline: invoke + session PutItem', openBaseline);
    row('POST /v1/chat', openGateway, `  (non-200: ${failures})`);
    added(openGateway, openDirect, 'the model call');
    added(openGateway, openBaseline, 'the baseline');
    console.log(
      `  gateway process CPU per request    : ${openCpu.toFixed(2)} ms (${((openCpu * RATE) / 10).toFixed(0)}% of one core at ${RATE} req/s)`,
    );
    console.log(
      `  bench process CPU per request      : ${openBenchCpu.toFixed(2)} ms (load generator + dynalite + emulator + router)`,
    );

    // Closed loop, one request at a time, the three paths interleaved: per-request cost without queueing.
    const seq = { direct: [] as number[], baseline: [] as number[], gateway: [] as number[] };
    failures = 0;
    cpu0 = await gatewayCpuMs(url);
    for (let i = 0; i < SEQ_SAMPLES; i++) {
      let t = performance.now();
      await direct(30_000 + i);
      seq.direct.push(performance.now() - t);
      t = performance.now();
      await baseline(30_000 + i);
      seq.baseline.push(performance.now() - t);
      t = performance.now();
      await viaGateway(30_000 + i);
      seq.gateway.push(performance.now() - t);
    }
    await sleep(300);
    // The gateway is idle while the other two paths run, apart from its own background publishes.
    const seqCpu = ((await gatewayCpuMs(url)) - cpu0) / SEQ_SAMPLES;
    const seqDirect = stats(seq.direct.sort((a, b) => a - b));
    const seqBaseline = stats(seq.baseline.sort((a, b) => a - b));
    const seqGateway = stats(seq.gateway.sort((a, b) => a - b));
    console.log(`\nsequential (one in flight), ${SEQ_SAMPLES} requests per path, interleaved`);
    row('direct fm-client invoke', seqDirect);
    row('baseline: invoke + session PutItem', seqBaseline);
    row('POST /v1/chat', seqGateway, `  (non-200: ${failures})`);
    added(seqGateway, seqDirect, 'the model call');
    added(seqGateway, seqBaseline, 'the baseline');
    console.log(`  gateway process CPU per request    : ${seqCpu.toFixed(2)} ms`);

    // First delta: direct stream vs through the WebSocket.
    const directFirst: number[] = [];
    for (let i = 0; i < WS_SAMPLES; i++) {
      const started = performance.now();
      let first = 0;
      for await (const ev of fm.stream({
        model: 'haiku',
        messages: [{ role: 'user', content: message(10_000 + i) }],
      })) {
        if (ev.type === 'delta' && !first) first = performance.now() - started;
      }
      directFirst.push(first);
    }
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
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
        ws.send(
          JSON.stringify({ id: `b${i}`, action: 'sendMessage', data: { message: message(20_000 + i) } }),
        );
      });
      wsFirst.push(first);
    }
    ws.close();
    directFirst.sort((a, b) => a - b);
    wsFirst.sort((a, b) => a - b);
    console.log(`\nfirst delta, ${WS_SAMPLES} sequential streams`);
    console.log(
      `  direct fm-client stream : p50 ${fmt(pct(directFirst, 50))}  p99 ${fmt(pct(directFirst, 99))}`,
    );
    console.log(`  WebSocket /v1/ws        : p50 ${fmt(pct(wsFirst, 50))}  p99 ${fmt(pct(wsFirst, 99))}`);
    console.log(
      `  added by the gateway    : p50 ${fmt(pct(wsFirst, 50) - pct(directFirst, 50))} (includes session read, rate limit, prompt build)`,
    );

    // Idle WebSockets.
    const before = {
      rss: await metric(url, 'process_resident_memory_bytes'),
      heap: await metric(url, 'nodejs_heap_size_used_bytes'),
    };
    const sockets: WebSocket[] = [];
    for (let i = 0; i < IDLE_SOCKETS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, IDLE_SOCKETS - i) }, async () => {
          const s = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, {
            headers: { authorization: `Bearer ${token}` },
            perMessageDeflate: false,
          });
          await new Promise((r, j) => s.once('open', r).once('error', j));
          sockets.push(s);
        }),
      );
    }
    await sleep(2000);
    const open = await metric(url, 'chat_websockets_open');
    const after = {
      rss: await metric(url, 'process_resident_memory_bytes'),
      heap: await metric(url, 'nodejs_heap_size_used_bytes'),
    };
    console.log(`\nidle WebSockets: ${open} open on the gateway`);
    console.log(
      `  RSS  ${(before.rss / 2 ** 20).toFixed(1)} MB -> ${(after.rss / 2 ** 20).toFixed(1)} MB: ${((after.rss - before.rss) / IDLE_SOCKETS / 1024).toFixed(1)} KB per socket`,
    );
    console.log(
      `  heap ${(before.heap / 2 ** 20).toFixed(1)} MB -> ${(after.heap / 2 ** 20).toFixed(1)} MB: ${((after.heap - before.heap) / IDLE_SOCKETS / 1024).toFixed(1)} KB per socket`,
    );
    for (const s of sockets) s.terminate();
    await fm.close();
  } finally {
    await Promise.all(
      gateways.map((child) => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    await collector.stop();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
