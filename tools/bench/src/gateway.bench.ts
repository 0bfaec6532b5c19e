// npm run bench -- gateway [requests] [rate] [--peers]
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
// --peers: instead of the above, the comparison with a peer gateway in the same run (peers.ts:
// @portkey-ai/gateway, installed into tmp/peers on demand) against the same emulator: both gateways'
// added latency over the direct model call (sequential p50/p99, open loop at `rate` p50/p99) and CPU
// per request (/proc/<pid>/stat, the same meter for both) side by side with the ratios; our CPU per
// request against the CPU of its two SDK calls measured in the same run (sdk-floor.ts, a process of
// its own); the WebSocket first delta after the model's first token; and the targets met or not.
// The response cache is off so every request reaches the model. The Bedrock emulator runs in a process
// of its own, dynalite, fauxqs and the EventBridge router in another (stack-process.ts), on the same
// machine's cores as the gateways, not in this load generator's event loop.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createFmClient } from '@manga-assist/fm-client';
import { freePort, startTraceCollector } from '@manga-assist/local-stack';
import { startPortkey, type Peer } from './peers';
import { newSessionItem } from './session-item';
import { startStackProcess } from './stack-process';
import { LOAD_CPU, PINNING, pinSelf, SUT_CPU } from './cpu-pinning';
import { measuredGatewayEnv } from './gateway-env';
import { chatMessage } from './chat-sdk-calls';
import { devToken, sendChat, startGatewayProcess, type GatewayProcess } from './gateway-process';
import { startSdkFloor, type SdkFloor } from './sdk-floor-process';
import { coreStealMs, helperThreadsMs, processCpuMs, runQueueDelayMs, type Stalls } from './proc-stats';
import { scrapeMetrics } from './metrics-scrape';

const PEERS = process.argv.includes('--peers');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// --peers measures over longer windows (sequential 2,000 rounds, open loop 8 rounds of 500): over
// 500-request windows a lone gateway's sequential CPU per request ranged 3.05-3.94 ms in one run
// (twelve windows in a row, no full GC in the slowest), and at 200 req/s one stall of a gateway or of
// the machine delays about 20 requests, which is the whole p99 of 2,000. Both decided targets by chance.
const REQUESTS = Number(args[0] ?? process.env.BENCH_REQUESTS ?? (PEERS ? 4000 : 2000));
const RATE = Number(args[1] ?? process.env.BENCH_RATE ?? 200);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
const WS_SAMPLES = Number(process.env.BENCH_WS_SAMPLES ?? 300);
const SEQ_SAMPLES = Number(process.env.BENCH_SEQ_SAMPLES ?? (PEERS ? 2000 : 500));
const TRACING_ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 6);
// Requests per path (and SDK floor pairs) before anything is measured. V8 keeps compiling for a
// while: sequentially, a gateway's CPU per request still fell from 4.9 ms (requests 750-1,250) to
// about 3.7 ms (after 2,000), a fifth of it in the compiler threads. 300 measured that tier-up.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
// BENCH_TRACING_ONLY=1: only the tracing off/on comparison (quicker; on a busy machine).
const root = join(__dirname, '..', '..', '..');
// BENCH_GATEWAY_BUNDLE: another build of the gateway (e.g. a copy of an older one, to compare).
const bundle = process.env.BENCH_GATEWAY_BUNDLE ?? join(root, 'dist', 'apps', 'chat-gateway', 'main.js');

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

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

const metric = async (url: string, name: string): Promise<number> => (await scrapeMetrics(url))(name);

/** The gateway's CPU time (user + system, ms) from its own prom-client process metrics. */
async function gatewayCpuMs(url: string): Promise<number> {
  const value = await scrapeMetrics(url);
  return (value('process_cpu_user_seconds_total') + value('process_cpu_system_seconds_total')) * 1000;
}

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
  pinSelf(LOAD_CPU);
  const stack = await startStackProcess('zero');
  const collector = await startTraceCollector({ maxTraces: 200 });
  const gateways: GatewayProcess[] = [];
  const floors: SdkFloor[] = [];
  const startGateway = async (extraEnv: Record<string, string>) => {
    const gateway = await startGatewayProcess(
      bundle,
      measuredGatewayEnv(stack, {
        WS_MAX_CONNECTIONS: String(IDLE_SOCKETS + 100),
        // Knock-out experiments on our gateway, e.g. '{"REDIS_URL":""}' (JSON object of strings).
        ...(process.env.BENCH_GATEWAY_ENV
          ? (JSON.parse(process.env.BENCH_GATEWAY_ENV) as Record<string, string>)
          : {}),
        ...extraEnv,
      }),
    );
    gateways.push(gateway);
    return gateway;
  };
  try {
    // --peers: two SDK floors, one started just before our gateway and one just after it, taking
    // turns; the floor is their mean. Of two identical processes, the one started later measured
    // about 3 % cheaper (README, "start order"): a single floor started after both gateways, as
    // before, sat in the cheapest place of the run.
    const startFloor = async () => {
      floors.push(await startSdkFloor({ ...stack.env, FM_MAX_ATTEMPTS: '3' }, WARMUP));
    };
    if (PEERS) await startFloor();
    const { port, url, pid } = await startGateway({});
    if (PEERS) await startFloor();
    const token = await devToken(url);
    const fm = createFmClient({ bedrock: stack.clients.bedrock });
    const direct = async (i: number) => {
      await fm.invoke({ model: 'haiku', messages: [{ role: 'user', content: chatMessage(i) }] });
    };
    // What the gateway must do anyway: the model call, then one conditional session write.
    const baseline = async (i: number) => {
      const { text } = await fm.invoke({
        model: 'haiku',
        messages: [{ role: 'user', content: chatMessage(i) }],
      });
      await stack.clients.documentClient.send(
        new PutCommand({
          TableName: stack.names.tables.sessions,
          Item: newSessionItem(chatMessage(i), text),
          ConditionExpression: 'attribute_not_exists(sessionId)',
        }),
      );
    };
    let failures = 0;
    const viaGateway = (i: number) => viaGatewayAt(url, i);
    const viaGatewayAt = async (gatewayUrl: string, i: number) => {
      try {
        if ((await sendChat(gatewayUrl, token, i)) !== 200) failures++;
      } catch {
        failures++; // counted with the non-200 answers (a reset or refused connection on a saturated machine)
      }
    };

    // Warm-up every path (JIT, keep-alive sockets, table pages).
    for (let i = 0; i < WARMUP; i++) {
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
      PINNING
        ? `pinned: each gateway and the SDK floor on core ${SUT_CPU}, this load generator and the stack on core 0 (BENCH_PIN=0: unpinned).`
        : 'unpinned: every process shares every core.',
    );
    console.log(
      stack.redis === 'own'
        ? `Redis: a redis-server of the stack's own${PINNING ? ', on core 0' : ''} (not the machine's, which may run on any core).`
        : "Redis: the machine's (no redis-server binary found): it may run on the gateways' core.",
    );
    console.log(
      'NOTE: the Bedrock emulator runs in a process of its own, dynalite, fauxqs and the EventBridge router in another',
    );
    console.log(
      "(not in this load generator's event loop), on the same cores as the gateways: their CPU is part of every figure below.",
    );

    // First delta: direct stream vs through the WebSocket (one socket, sequential messages).
    const firstDelta = async () => {
      const directOnce = async (i: number) => {
        const started = performance.now();
        let first = 0;
        for await (const ev of fm.stream({
          model: 'haiku',
          messages: [{ role: 'user', content: chatMessage(10_000 + i) }],
        })) {
          if (ev.type === 'delta' && !first) first = performance.now() - started;
        }
        return first;
      };
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      const wsOnce = (i: number) =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          let first = 0;
          const onMessage = (raw: WebSocket.RawData) => {
            const frame = JSON.parse(raw.toString()) as { type: string };
            if (frame.type === 'delta' && !first) first = performance.now() - started;
            if (frame.type === 'final' || frame.type === 'error') {
              ws.off('message', onMessage);
              resolve(first);
            }
          };
          ws.on('message', onMessage);
          ws.send(
            JSON.stringify({
              id: `b${i}`,
              action: 'sendMessage',
              data: { message: chatMessage(20_000 + i) },
            }),
          );
        });
      for (let i = 0; i < 20; i++) await wsOnce(-i);
      // Interleaved, so that the machine's load changes hit both alike.
      const directFirst: number[] = [];
      const wsFirst: number[] = [];
      for (let i = 0; i < WS_SAMPLES; i++) {
        directFirst.push(await directOnce(i));
        wsFirst.push(await wsOnce(i));
      }
      ws.close();
      return {
        direct: stats(directFirst.sort((a, b) => a - b)),
        ws: stats(wsFirst.sort((a, b) => a - b)),
      };
    };

    // --peers: our gateway and a peer (Portkey) in the same run, on the same emulator.
    const comparePeers = async () => {
      const peer: Peer = await startPortkey({
        root,
        node: join(root, 'node_modules', '.bin', 'node'),
        port: await freePort(),
        bedrockUrl: stack.env.BEDROCK_ENDPOINT,
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        maxTokens: 1024,
      });
      try {
        let peerFailures = 0;
        const viaPeer = async (i: number) => {
          if (!(await peer.chat(chatMessage(i)).catch(() => false))) peerFailures++;
        };
        for (let i = 0; i < WARMUP; i++) await viaPeer(-i);
        if (peerFailures) throw new Error(`${peer.name} failed ${peerFailures} warm-up requests`);
        const gatewayCpu = () => processCpuMs(pid);
        const peerCpu = () => processCpuMs(peer.pid);

        // Sequential: the three paths and one floor pair (the two SDK calls in a process of their
        // own) in turn, one at a time, so that each sees the same pace and machine load: every one
        // of them starts from an event loop that was asleep while the others ran, with caches the
        // others used meanwhile. CPU: each gateway process over the whole phase (it has no other
        // work), so what it does after an answer (our session write, events) is counted even when it
        // runs during another path.
        const floorAfter = floors[1];
        const floorBothMs = [0, 0];
        const seq = { direct: [] as number[], ours: [] as number[], peer: [] as number[] };
        failures = 0;
        peerFailures = 0;
        const seqStart = { ours: gatewayCpu(), peer: peerCpu() };
        const floorProcStart = floors.map((f) => processCpuMs(f.pid));
        const seqStartedAt = performance.now();
        for (let i = 0; i < SEQ_SAMPLES; i++) {
          let t = performance.now();
          await direct(30_000 + i);
          seq.direct.push(performance.now() - t);
          t = performance.now();
          await viaGateway(30_000 + i);
          seq.ours.push(performance.now() - t);
          t = performance.now();
          await viaPeer(30_000 + i);
          seq.peer.push(performance.now() - t);
          floorBothMs[i % 2] += await floors[i % 2].run('both', 1);
        }
        const iterationMs = (performance.now() - seqStartedAt) / SEQ_SAMPLES;
        await sleep(500); // the last answers' background work
        const seqCpu = { ours: gatewayCpu() - seqStart.ours, peer: peerCpu() - seqStart.peer };
        // The floor measured as the gateways are (/proc over the phase: work after each batch, V8's
        // background tasks, counted too), less what a command costs it by itself (a no-op command at
        // the same pace). Printed beside the ratio; the target is decided on the floor's own meter.
        const floorProcMs = floors.reduce((sum, f, k) => sum + processCpuMs(f.pid) - floorProcStart[k], 0);
        const noops = Math.max(100, Math.floor(SEQ_SAMPLES / 2));
        const noopStart = floors.map((f) => processCpuMs(f.pid));
        for (let i = 0; i < noops; i++) {
          await floors[i % 2].run('noop', 1);
          await sleep(iterationMs);
        }
        const noopMs = floors.reduce((sum, f, k) => sum + processCpuMs(f.pid) - noopStart[k], 0) / noops;
        const floorByProc = floorProcMs / SEQ_SAMPLES - noopMs;
        // For comparison: the same pairs back to back (a warm loop, nothing else running between
        // them), and each call alone.
        const split = Math.max(25, Math.floor(SEQ_SAMPLES / 4));
        const floorSplit = {
          warmLoop: (await floorAfter.run('both', split)) / split,
          converse: (await floorAfter.run('converse', split)) / split,
          put: (await floorAfter.run('put', split)) / split,
        };
        const pairsOf = (k: number) => Math.ceil((SEQ_SAMPLES - k) / 2);
        const floorEach = [floorBothMs[0] / pairsOf(0), floorBothMs[1] / pairsOf(1)];
        const floorBoth = (floorEach[0] + floorEach[1]) / 2;
        const seqFailures = { ours: failures, peer: peerFailures };

        // Open loop at RATE, in rounds whose order rotates (the machine's load changes hit every path alike).
        const rounds = Number(process.env.BENCH_PEER_ROUNDS ?? 40);
        const perRound = Math.max(50, Math.floor(REQUESTS / rounds));
        const lat = { direct: [] as number[], ours: [] as number[], peer: [] as number[] };
        const openCpuMs = { ours: 0, peer: 0 };
        // The stack's CPU in each path's rounds: the emulator's process, and dynalite + router's (ours only).
        const stackCpu = {
          model: { direct: 0, ours: 0, peer: 0 },
          services: { direct: 0, ours: 0, peer: 0 },
        };
        failures = 0;
        peerFailures = 0;
        const paths = ['direct', 'ours', 'peer'] as const;
        type Path = (typeof paths)[number];
        // Where each round's time went (proc-stats.ts): steal time of the core the path's process ran
        // on, the run-queue wait of its main thread and the CPU of its other threads (the gateway's;
        // this load generator's for the direct call).
        const roundStalls = { direct: [] as Stalls[], ours: [] as Stalls[], peer: [] as Stalls[] };
        const stallMeter = (path: Path) => {
          const core = !PINNING ? 'all' : path === 'direct' ? LOAD_CPU : SUT_CPU;
          const waiter = path === 'ours' ? pid : path === 'peer' ? peer.pid : process.pid;
          const steal0 = coreStealMs(core);
          const wait0 = runQueueDelayMs(waiter);
          const helpers0 = helperThreadsMs(waiter);
          return () =>
            roundStalls[path].push({
              stealMs: coreStealMs(core) - steal0,
              waitMs: runQueueDelayMs(waiter) - wait0,
              helpersMs: helperThreadsMs(waiter) - helpers0,
            });
        };
        // The floor at the same rate, a round of its own after each round of the paths: CPU per pair
        // falls with the rate as per-wake-up costs are shared, so the open-loop ratio needs its own floor.
        let floorAtRateMs = 0;
        for (let r = 0; r < rounds; r++) {
          floorAtRateMs += await floors[r % 2].run('rate', perRound, RATE);
          for (let k = 0; k < paths.length; k++) {
            const path = paths[(r + k) % paths.length];
            const base = 40_000 + r * perRound;
            const m0 = processCpuMs(stack.pids.model);
            const s0 = processCpuMs(stack.pids.services);
            const stallsDone = stallMeter(path);
            if (path === 'direct') {
              lat.direct.push(...(await atRate(perRound, RATE, (i) => direct(base + i))));
              stallsDone();
            } else {
              const cpuOf = path === 'ours' ? gatewayCpu : peerCpu;
              const c = cpuOf();
              lat[path].push(
                ...(await atRate(perRound, RATE, (i) => (path === 'ours' ? viaGateway : viaPeer)(base + i))),
              );
              stallsDone();
              await sleep(300); // work after the answers (events, writes) lands in its round
              openCpuMs[path] += cpuOf() - c;
            }
            stackCpu.model[path] += processCpuMs(stack.pids.model) - m0;
            stackCpu.services[path] += processCpuMs(stack.pids.services) - s0;
          }
        }
        // Each path's p99 round by round, before the latencies are sorted: the machine's stalls (which
        // the direct call meets too) show as rounds far above the others, and short rotating rounds
        // spread them over the paths alike.
        const roundP99 = (path: Path) => {
          const byRound = Array.from({ length: rounds }, (_, r) =>
            pct(
              lat[path].slice(r * perRound, (r + 1) * perRound).sort((a, b) => a - b),
              99,
            ),
          ).sort((a, b) => a - b);
          return `${pct(byRound, 50).toFixed(1)}/${byRound[byRound.length - 1].toFixed(1)} ms`;
        };
        const p99ByRound = { direct: roundP99('direct'), ours: roundP99('ours'), peer: roundP99('peer') };
        // The requests at or above a path's pooled p99 (the ones that set it), by the round they fell
        // in, with that round's stalls: whether the machine or the gateway decided the p99.
        const aboveP99 = (path: Path) => {
          const threshold = pct(
            [...lat[path]].sort((a, b) => a - b),
            99,
          );
          const byRound = roundStalls[path]
            .map((stalls, r) => ({
              round: r + 1,
              above: lat[path].slice(r * perRound, (r + 1) * perRound).filter((ms) => ms >= threshold).length,
              ...stalls,
            }))
            .filter((row) => row.above > 0)
            .sort((a, b) => b.above - a.above);
          const total = byRound.reduce((n, row) => n + row.above, 0);
          const stolen = byRound.filter((row) => row.stealMs > 0).reduce((n, row) => n + row.above, 0);
          const rows = byRound
            .slice(0, 4)
            .map(
              (row) =>
                `r${row.round} ${row.above}: ${row.stealMs.toFixed(0)}/${row.waitMs.toFixed(1)}/${row.helpersMs.toFixed(1)}`,
            )
            .join(', ');
          return `${stolen} of ${total} in rounds with steal; ${rows}${byRound.length > 4 ? ', ...' : ''}`;
        };
        const stallSum = (path: Path) => {
          const sum = (key: keyof Stalls) => roundStalls[path].reduce((ms, stalls) => ms + stalls[key], 0);
          return `${sum('stealMs').toFixed(0)} / ${sum('waitMs').toFixed(1)} / ${sum('helpersMs').toFixed(1)} ms`;
        };
        const stallLines = [
          `  stalls in each path's rounds at ${RATE} req/s, summed: steal of its core / run-queue wait of its main thread / CPU of its other threads: ours ${stallSum('ours')}, peer ${stallSum('peer')}, direct call (the load generator's core) ${stallSum('direct')}`,
          `  requests at or above each pooled p99, by round (requests: steal/wait/other threads, ms): ours ${aboveP99('ours')}; peer ${aboveP99('peer')}; direct ${aboveP99('direct')}`,
        ];
        const open = {
          direct: stats(lat.direct.sort((a, b) => a - b)),
          ours: stats(lat.ours.sort((a, b) => a - b)),
          peer: stats(lat.peer.sort((a, b) => a - b)),
        };
        const floorAtRate = floorAtRateMs / (rounds * perRound);
        const openOursCpu = openCpuMs.ours / (rounds * perRound);
        const openPeerCpu = openCpuMs.peer / (rounds * perRound);

        const fd = await firstDelta();

        const s = {
          direct: stats(seq.direct.sort((a, b) => a - b)),
          ours: stats(seq.ours.sort((a, b) => a - b)),
          peer: stats(seq.peer.sort((a, b) => a - b)),
        };
        const addedSeq = {
          ours: { p50: s.ours.p50 - s.direct.p50, p99: s.ours.p99 - s.direct.p99 },
          peer: { p50: s.peer.p50 - s.direct.p50, p99: s.peer.p99 - s.direct.p99 },
        };
        const addedOpen = {
          ours: { p50: open.ours.p50 - open.direct.p50, p99: open.ours.p99 - open.direct.p99 },
          peer: { p50: open.peer.p50 - open.direct.p50, p99: open.peer.p99 - open.direct.p99 },
        };
        const cpu = { ours: seqCpu.ours / SEQ_SAMPLES, peer: seqCpu.peer / SEQ_SAMPLES };
        const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
        const col = (v: string) => v.padStart(16);
        const line = (label: string, ours: string, peerV: string, r: string) =>
          console.log(`  ${label.padEnd(40)}${col(ours)}${col(peerV)}${col(r)}`);
        console.log(
          `\npeers: chat-gateway POST /v1/chat sendMessage vs ${peer.name} POST /v1/chat/completions (Bedrock provider, custom host = the emulator)`,
        );
        console.log(
          `  after ${WARMUP} warm-up requests per path and floor pairs (BENCH_WARMUP); sequential: ${SEQ_SAMPLES} per path interleaved (non-200: ours ${seqFailures.ours}, peer ${seqFailures.peer}); open loop: ${rounds} rounds of ${perRound} per path at ${RATE} req/s, order rotating (non-200: ours ${failures}, peer ${peerFailures})`,
        );
        line('', 'chat-gateway', peer.name, 'ours / peer');
        line(
          'direct model call, sequential p50/p99',
          `${fmt(s.direct.p50)}/${s.direct.p99.toFixed(2)}`,
          '',
          '',
        );
        line(
          'added, sequential p50',
          fmt(addedSeq.ours.p50),
          fmt(addedSeq.peer.p50),
          ratio(addedSeq.ours.p50, addedSeq.peer.p50),
        );
        line(
          'added, sequential p99',
          fmt(addedSeq.ours.p99),
          fmt(addedSeq.peer.p99),
          ratio(addedSeq.ours.p99, addedSeq.peer.p99),
        );
        line(
          `direct model call, ${RATE} req/s p50/p99`,
          `${fmt(open.direct.p50)}/${open.direct.p99.toFixed(2)}`,
          '',
          '',
        );
        line(
          `added, ${RATE} req/s p50`,
          fmt(addedOpen.ours.p50),
          fmt(addedOpen.peer.p50),
          ratio(addedOpen.ours.p50, addedOpen.peer.p50),
        );
        line(
          `added, ${RATE} req/s p99`,
          fmt(addedOpen.ours.p99),
          fmt(addedOpen.peer.p99),
          ratio(addedOpen.ours.p99, addedOpen.peer.p99),
        );
        line(
          `p99 per round, ${RATE} req/s (median/max)`,
          p99ByRound.ours,
          p99ByRound.peer,
          `direct ${p99ByRound.direct}`,
        );
        line('CPU per request, sequential', fmt(cpu.ours), fmt(cpu.peer), ratio(cpu.ours, cpu.peer));
        line(
          `CPU per request, ${RATE} req/s`,
          fmt(openOursCpu),
          fmt(openPeerCpu),
          ratio(openOursCpu, openPeerCpu),
        );
        const perReq = (ms: number) => ms / (rounds * perRound);
        line(
          `emulator process CPU/request, ${RATE} req/s`,
          fmt(perReq(stackCpu.model.ours)),
          fmt(perReq(stackCpu.model.peer)),
          `direct ${fmt(perReq(stackCpu.model.direct))}`,
        );
        line(
          `dynalite + router CPU/request, ${RATE} req/s`,
          fmt(perReq(stackCpu.services.ours)),
          fmt(perReq(stackCpu.services.peer)),
          `direct ${fmt(perReq(stackCpu.services.direct))}`,
        );
        console.log(
          '  (the Bedrock emulator runs in a process of its own; dynalite, fauxqs and the router in another: our path also writes the session and publishes events there)',
        );
        for (const stallLine of stallLines) console.log(stallLine);
        console.log(
          `\n  the two SDK calls (sdk-floor.ts, own process, same clients): one pair in turn with the sequential requests ${fmt(floorBoth)} CPU per pair, the mean of two floors taking turns (started before ours ${fmt(floorEach[0])}, after ours ${fmt(floorEach[1])}: ${ratio(floorEach[1], floorEach[0])}) (after: ${split} pairs back to back ${fmt(floorSplit.warmLoop)}, Converse alone ${fmt(floorSplit.converse)}, session PutItem alone ${fmt(floorSplit.put)}); open loop at ${RATE} pairs/s, a round after each round of the paths: ${fmt(floorAtRate)} per pair`,
        );
        console.log(
          `  chat-gateway CPU per request / its two SDK calls: ${ratio(cpu.ours, floorBoth)} sequential, ${ratio(openOursCpu, floorAtRate)} at ${RATE} req/s (each against the floor at the same pace)`,
        );
        // After a stall the backlog drains at 1 / (CPU per request): the open-loop p99 follows it.
        console.log(
          `  the two SDK calls alone / the peer's whole request, CPU at ${RATE} req/s: ${ratio(floorAtRate, openPeerCpu)} (a gateway adding nothing to its two calls would drain a backlog no faster than the peer)`,
        );
        console.log(
          `  the sequential floor by /proc over the phase as the gateways are measured, less a no-op command in turn (${fmt(noopMs)}): ${fmt(floorByProc)} per pair; ours / that ${ratio(cpu.ours, floorByProc)} (for comparison; not the target's meter)`,
        );
        console.log(
          `  WebSocket first delta, ${WS_SAMPLES} sequential streams per path interleaved: direct p50 ${fmt(fd.direct.p50)}, via /v1/ws p50 ${fmt(fd.ws.p50)} (p99 ${fmt(fd.ws.p99)}): added p50 ${fmt(fd.ws.p50 - fd.direct.p50)}`,
        );
        const targets: [string, boolean][] = [
          [
            `CPU per request <= 1.5x the two SDK calls (sequential: ${ratio(cpu.ours, floorBoth)})`,
            cpu.ours <= 1.5 * floorBoth,
          ],
          [
            `CPU per request <= 1.5x the two SDK calls at ${RATE} req/s (${ratio(openOursCpu, floorAtRate)})`,
            openOursCpu <= 1.5 * floorAtRate,
          ],
          [
            `sequential added p50 <= peer's + 0.5 ms (${fmt(addedSeq.ours.p50)} vs ${fmt(addedSeq.peer.p50 + 0.5)})`,
            addedSeq.ours.p50 <= addedSeq.peer.p50 + 0.5,
          ],
          [
            `${RATE} req/s added p99 <= peer's (${fmt(addedOpen.ours.p99)} vs ${fmt(addedOpen.peer.p99)})`,
            addedOpen.ours.p99 <= addedOpen.peer.p99,
          ],
          [
            `WebSocket first delta added p50 <= 1 ms (${fmt(fd.ws.p50 - fd.direct.p50)})`,
            fd.ws.p50 - fd.direct.p50 <= 1,
          ],
        ];
        console.log('\ntargets (docs/architecture.md#performance):');
        for (const [name, met] of targets) console.log(`  ${met ? 'met    ' : 'NOT met'}  ${name}`);
        console.log(
          `load average at the end: ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
        );
      } finally {
        await peer.stop();
      }
    };

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
      for (let i = 0; i < WARMUP; i++) await viaGatewayAt(traced.url, -i);
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

    if (PEERS) return await comparePeers();
    await compareTracing();
    if (process.env.BENCH_TRACING_ONLY === '1') return;

    // Open loop, one path after the other.
    const openDirect = stats(await atRate(REQUESTS, RATE, direct));
    const openBaseline = stats(await atRate(REQUESTS, RATE, baseline));
    failures = 0;
    let cpu0 = await gatewayCpuMs(url);
    const stackCpuMs = () => processCpuMs(stack.pids.model) + processCpuMs(stack.pids.services);
    const stack0 = stackCpuMs();
    const openGateway = stats(await atRate(REQUESTS, RATE, viaGateway));
    await sleep(300); // publishes of the last requests
    const openCpu = ((await gatewayCpuMs(url)) - cpu0) / REQUESTS;
    const openStackCpu = (stackCpuMs() - stack0) / REQUESTS;
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
      `  stack processes CPU per request    : ${openStackCpu.toFixed(2)} ms (emulator, dynalite, router)`,
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

    const fd = await firstDelta();
    console.log(`\nfirst delta, ${WS_SAMPLES} sequential streams per path, interleaved`);
    console.log(`  direct fm-client stream : p50 ${fmt(fd.direct.p50)}  p99 ${fmt(fd.direct.p99)}`);
    console.log(`  WebSocket /v1/ws        : p50 ${fmt(fd.ws.p50)}  p99 ${fmt(fd.ws.p99)}`);
    console.log(
      `  added by the gateway    : p50 ${fmt(fd.ws.p50 - fd.direct.p50)} (includes session read, rate limit, prompt build)`,
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
    await Promise.all([...gateways, ...floors].map((child) => child.stop()));
    await collector.stop();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
