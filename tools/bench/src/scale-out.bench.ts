// npm run bench -- scale-out [--instances 1,2,3] [--jobs-per-instance 400] [--concurrency 20]
//                            [--latency-ms 1500] [--groups 200] [--max-seconds 300] [--turns 6] [--no-gateway]
//                            [--quota 20]
//
// Horizontal scaling as ECS tasks would do it, simulated on one local stack (issue 18, item 4).
//
// Workers: for each N, a fresh stack and N enrichment-worker processes consuming the one FIFO
// queue. N x jobs-per-instance jobs are submitted in rounds of one job per manga (message group),
// so each group's order is the submission order. Printed per N: jobs/min and its ratio to N times
// one instance's; model calls answered vs jobs (a job processed twice calls the model twice);
// jobs claimed more than once (only a lost lease may do that); FIFO order (every job of a group
// started after the previous one completed, whichever instance ran them); the share each
// instance completed; and the shared pieces' load: the bench process hosts dynalite, fauxqs and
// the Bedrock emulator on one event loop (its CPU share of one core and event-loop delay p99), the
// workers' CPU, the box's load. The model latency is high so that the 2 cores are not the bound.
//
// --quota Q: the model accepts at most Q calls at once from all instances together (the emulator's
// concurrency quota, as an account's Bedrock quota is shared by every task): each instance's
// limit finds its share on its own; printed: jobs/min against Q / latency and the share of calls
// throttled.
//
// Gateways: two chat-gateway processes behind a round-robin HTTP proxy on 127.0.0.1; one session's
// turns alternate between them, and the history read back through the proxy has every turn.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import {
  arg,
  ROOT,
  sleep,
  staffHeaders,
  startWorkerProcess,
  submitJobs,
  workerStats,
  type BenchJob,
  type WorkerProcess,
} from './worker-process';
import { processCpuMs } from './proc-stats';
import { benchGatewayEnv } from './gateway-env';
import { scrapeMetrics } from './metrics-scrape';

const INSTANCES = arg('instances', '1,2,3').split(',').map(Number);
const JOBS_PER_INSTANCE = Number(arg('jobs-per-instance', '400'));
const CONCURRENCY = Number(arg('concurrency', '20'));
const LATENCY_MS = Number(arg('latency-ms', '1500'));
const GROUPS = Number(arg('groups', '200'));
const MAX_SECONDS = Number(arg('max-seconds', '300'));
const TURNS = Number(arg('turns', '6'));
const QUOTA = arg('quota', '') ? Number(arg('quota', '')) : undefined;
const GATEWAY = !process.argv.includes('--no-gateway');
const TYPES = ['synopsis', 'tags', 'description'] as const;

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;

interface JobRecord {
  jobId: string;
  mangaId: string;
  status: string;
  attempts: number;
  startedAt?: string;
  completedAt?: string;
}

async function scanJobs(stack: LocalStack): Promise<JobRecord[]> {
  const items: JobRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.clients.documentClient.send(
      new ScanCommand({ TableName: stack.names.tables.enrichmentJobs, ExclusiveStartKey: start }),
    );
    items.push(...((out.Items ?? []) as JobRecord[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every job of a group started after the previous one (in submission order) completed. */
function fifoViolations(order: Map<string, string[]>, byId: Map<string, JobRecord>): number {
  let violations = 0;
  for (const ids of order.values()) {
    for (let i = 1; i < ids.length; i++) {
      const prev = byId.get(ids[i - 1]);
      const cur = byId.get(ids[i]);
      if (!prev?.completedAt || !cur?.startedAt || cur.startedAt < prev.completedAt) violations++;
    }
  }
  return violations;
}

interface WorkerRun {
  n: number;
  perMin: number;
}

async function runWorkers(n: number): Promise<WorkerRun> {
  const stack = await startLocalStack({
    redis: false,
    eventbridge: false,
    ttlSweep: false,
    bedrock: {
      profile: 'zero',
      faults: { extraLatencyMs: LATENCY_MS, ...(QUOTA ? { concurrencyLimit: QUOTA } : {}) },
    },
  });
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < n; i++)
      workers.push(
        await startWorkerProcess({
          ...stack.env,
          WORKER_CONCURRENCY_MAX: String(CONCURRENCY),
          WORKER_CONCURRENCY_INITIAL: String(CONCURRENCY),
          VISIBILITY_TIMEOUT_SECONDS: '60',
          BACKLOG_MAX: '100000',
          REAPER_INTERVAL_SECONDS: '0',
        }),
      );
    const auth = await staffHeaders();
    const total = n * JOBS_PER_INSTANCE;
    const rounds = Math.ceil(total / GROUPS);
    const order = new Map<string, string[]>();
    const cpuBefore = workers.map((w) => processCpuMs(w.child.pid as number));
    const stackCpuBefore = process.cpuUsage();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    // One job per group per bulk request, the requests one after another: each group's order is
    // the round order. Submission goes to instance 0 (any instance's admin API would do).
    for (let r = 0, submitted = 0; r < rounds; r++) {
      const batch: BenchJob[] = [];
      for (let g = 0; g < GROUPS && submitted < total; g++, submitted++)
        batch.push({ mangaId: `scale-${g}`, type: TYPES[r % 3], manga: { title: `Scale ${g}.${r}` } });
      const ids = await submitJobs(workers[0].url, auth, batch);
      batch.forEach((job, i) => order.set(job.mangaId, [...(order.get(job.mangaId) ?? []), ids[i]]));
    }
    const submittedS = (performance.now() - started) / 1000;
    let completed = 0;
    let perInstance: number[] = [];
    while (completed < total) {
      await sleep(500);
      const stats = await Promise.all(workers.map((w) => workerStats(w.url, auth)));
      perInstance = stats.map((s) => s.totals.completed + s.totals.failed);
      completed = perInstance.reduce((a, b) => a + b, 0);
      if ((performance.now() - started) / 1000 > MAX_SECONDS)
        throw new Error(`${n} instances: ${completed}/${total} jobs after ${MAX_SECONDS} s`);
    }
    const elapsedS = (performance.now() - started) / 1000;
    delay.disable();
    const stackCpu = process.cpuUsage(stackCpuBefore);
    const workerCpu = workers.map((w, i) => processCpuMs(w.child.pid as number) - cpuBefore[i]);
    const jobs = await scanJobs(stack);
    const byId = new Map(jobs.map((j) => [j.jobId, j]));
    const emulator = stack.bedrock!.stats();
    const reclaimed = jobs.filter((j) => j.attempts > 1).length;
    const notCompleted = jobs.filter((j) => j.status !== 'completed').length;
    const perMin = (total / elapsedS) * 60;
    const stackShare = (stackCpu.user + stackCpu.system) / 1000 / (elapsedS * 1000);
    const throttled = emulator.errors.ThrottlingException ?? 0;
    const quotaLine = QUOTA
      ? `\n  shared quota ${QUOTA} calls at once: ${(perMin / ((Math.min(QUOTA, n * CONCURRENCY) * 60_000) / LATENCY_MS)).toFixed(3)} of its throughput; ` +
        `throttled ${((100 * throttled) / Math.max(1, emulator.requests)).toFixed(1)}% of calls (${throttled}/${emulator.requests})`
      : '';
    const workersShare = workerCpu.reduce((a, b) => a + b, 0) / (elapsedS * 1000);
    console.log(
      `scale-out workers N=${n} (concurrency ${CONCURRENCY} each, latency ${LATENCY_MS} ms, ${total} jobs in ${GROUPS} FIFO groups, ` +
        `submitted in ${submittedS.toFixed(1)} s): ${elapsedS.toFixed(1)} s, ${perMin.toFixed(0)} jobs/min ` +
        `(theoretical ${((n * CONCURRENCY * 60_000) / LATENCY_MS).toFixed(0)}); emulator peak concurrency ${emulator.peakConcurrency}\n` +
        `  model calls answered ${emulator.completed} for ${total} jobs (requests ${emulator.requests}); jobs claimed more than once ${reclaimed}; ` +
        `not completed ${notCompleted}; FIFO order violations ${fifoViolations(order, byId)} of ${total - order.size} ordered pairs; ` +
        `completed per instance ${perInstance.join(' / ')}\n` +
        `  CPU: stack process (dynalite + fauxqs + emulator, one event loop) ${(100 * stackShare).toFixed(0)}% of a core, ` +
        `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; workers ${(100 * workersShare).toFixed(0)}% of a core in all ` +
        `(${workerCpu.map((c) => (c / total).toFixed(1)).join(' + ')} ms per job); ${load()}` +
        quotaLine,
    );
    return { n, perMin };
  } finally {
    for (const w of workers) await w.stop();
    await stack.stop();
  }
}

/** Round-robin HTTP proxy on 127.0.0.1: request i goes to upstream i mod n; counts per upstream. */
async function startProxy(upstreams: number[]) {
  let next = 0;
  const served = upstreams.map(() => 0);
  const log: number[] = [];
  const server = http.createServer((req, res) => {
    const i = next++ % upstreams.length;
    served[i]++;
    log.push(i);
    const up = http.request(
      { host: '127.0.0.1', port: upstreams[i], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    log,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function runGateways() {
  const bundle = join(ROOT, 'dist/apps/chat-gateway/main.js');
  if (!existsSync(bundle)) spawnSync('npx', ['nx', 'build', 'chat-gateway'], { cwd: ROOT, stdio: 'inherit' });
  const stack = await startLocalStack({ redis: false, ttlSweep: false, bedrock: { profile: 'zero' } });
  const children: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, [bundle], {
        cwd: ROOT,
        env: benchGatewayEnv(stack, { PORT: '0', LOG_LEVEL: 'info', OTEL_TRACES_EXPORTER: 'none' }),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          let buffer = '';
          child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${buffer.slice(-800)}`)));
          child.stdout?.on('data', (d: Buffer) => {
            buffer = (buffer + String(d)).slice(-20_000);
            const match = /"url":"http:\/\/[^"]+:(\d+)"/.exec(buffer);
            if (match) resolve(Number(match[1]));
          });
        }),
      );
      child.stdout?.resume();
    }
    const proxy = await startProxy(ports);
    try {
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(`${proxy.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as Record<string, unknown>;
      };
      const token = (await post('/dev/token', { userId: 'scale-out-bench' })).token as string;
      let sessionId: string | undefined;
      const servedBy: number[] = [];
      for (let t = 0; t < TURNS; t++) {
        const answer = await post(
          '/v1/chat',
          { action: 'sendMessage', data: { message: `おすすめのマンガを教えて (turn ${t + 1})`, sessionId } },
          token,
        );
        if (sessionId && answer.sessionId !== sessionId)
          throw new Error(`turn ${t + 1}: a new session was started`);
        sessionId = answer.sessionId as string;
        servedBy.push(proxy.log[proxy.log.length - 1]);
      }
      // REST answers before it saves (docs/architecture.md#save-after-answer): a read that reaches
      // the other instance within that write's few milliseconds may not see the last exchange yet.
      // Read at once (that window), then until the last exchange is written. What the design
      // promises: the turns kept are the latest exchanges in the order sent, and the older ones are
      // in the summary (after 5 turns, written in the background by whichever instance served).
      type Turn = { role: string; content: string };
      const readHistory = async () => {
        const history = await post('/v1/chat', { action: 'getHistory', data: { sessionId } }, token);
        return {
          turns: history.turns as Turn[],
          summary: typeof history.summary === 'string' && history.summary.length > 0,
          by: 'AB'[proxy.log[proxy.log.length - 1]],
        };
      };
      const sent = (t: number) => `(turn ${t + 1})`;
      const userTurns = (turns: Turn[]) => turns.filter((t) => t.role === 'user').map((t) => t.content);
      const hasLast = (turns: Turn[]) => userTurns(turns).some((c) => c.includes(sent(TURNS - 1)));
      const immediate = await readHistory();
      const lastSeen = hasLast(immediate.turns);
      const settleStarted = performance.now();
      let settled = immediate;
      while (!hasLast(settled.turns) && performance.now() - settleStarted < 2000) {
        await sleep(20);
        settled = await readHistory();
      }
      const settleMs = performance.now() - settleStarted;
      const users = userTurns(settled.turns);
      const older = TURNS - users.length;
      const inOrder =
        users.length > 0 &&
        users.every((c, k) => c.includes(sent(older + k))) &&
        settled.turns.every((turn, k) => turn.role === (k % 2 ? 'assistant' : 'user')) &&
        (older === 0 || settled.summary);
      console.log(
        `scale-out gateways: 2 chat-gateway processes behind a round-robin proxy (127.0.0.1): ${TURNS} turns of one session ` +
          `served by gateway ${servedBy.map((i) => 'AB'[i]).join(' ')}, each sent as soon as the previous answer came; ` +
          `one session id: ${Boolean(sessionId)}; requests per gateway ${proxy.served.join(' / ')}; ${load()}`,
      );
      console.log(
        `  history read at once through gateway ${immediate.by}: ${immediate.turns.length} turns (${userTurns(immediate.turns).length} user)` +
          `${lastSeen ? '' : ', the last exchange not written yet (the save-after-answer window)'}; ` +
          `read again until written (${settleMs.toFixed(0)} ms, through gateway ${settled.by}): ` +
          `${settled.turns.length} turns (${users.length} user)${older ? `, the ${older} older exchanges ${settled.summary ? 'in the summary' : 'MISSING (no summary)'}` : ''}; ` +
          `the latest exchanges in the order sent: ${inOrder}`,
      );
      // Answers given without the exchange before them (read before its save landed), as counted.
      const staleContext = await Promise.all(
        ports.map(async (port) => {
          const count = (await scrapeMetrics(`http://127.0.0.1:${port}`))(
            'chat_session_events_total',
            'event="stale_context"',
          );
          return Number.isNaN(count) ? 0 : count; // a labelled counter appears once incremented
        }),
      );
      console.log(
        `  answers given without the previous exchange (chat_session_events_total{event="stale_context"}), per gateway: ${staleContext.join(' / ')} of ${TURNS} turns`,
      );
      if (!inOrder)
        console.log(
          `  NOT met: user turns as stored: ${users.map((c) => /turn \d+/.exec(c)?.[0]).join(', ')}`,
        );
    } finally {
      await proxy.close();
    }
  } finally {
    for (const child of children) {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
    await stack.stop();
  }
}

(async () => {
  const runs: WorkerRun[] = [];
  for (const n of INSTANCES) runs.push(await runWorkers(n));
  const one = runs.find((r) => r.n === 1);
  if (one)
    console.log(
      `scale-out summary: ${runs
        .map(
          (r) =>
            `N=${r.n} ${r.perMin.toFixed(0)} jobs/min = ${(r.perMin / one.perMin / r.n).toFixed(2)} x N x one instance`,
        )
        .join('; ')}`,
    );
  if (GATEWAY) await runGateways();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
