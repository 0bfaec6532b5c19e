// npm run bench -- worker [--jobs 2000] [--concurrency 100 | 10,50,100] [--latency-ms 2000] [--pollers 4]
//
// One enrichment-worker instance (a child process running the esbuild bundle when built, else
// tsx on main.ts) against the in-process local stack, with the Bedrock emulator answering every
// call after `latency-ms`. Submits all jobs at once through the admin API, waits until every job
// is completed, and prints jobs/min, the ratio to the theoretical concurrency / latency, the
// emulator's peak concurrency (proof of parallelism) and the worker's CPU ms per job (from
// /proc/<pid>/stat, so the stack's own CPU is not counted).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevTokenIssuer, STAFF_ROLE } from '@manga-assist/identity';
import { startLocalStack } from '@manga-assist/local-stack';

// The admin API is staff-only: the bench mints its own staff token for a throwaway secret.
const AUTH_JWT_SECRET = 'bench-only-secret-0123456789abcdefghijkl';
const staffToken = () =>
  createDevTokenIssuer({ secret: AUTH_JWT_SECRET, issuer: 'manga-assist', audience: 'manga-assist-chat' })
    .issue('bench', 3600, [STAFF_ROLE])
    .then((t) => t.token);

const ROOT = join(__dirname, '../../..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const JOBS = Number(arg('jobs', '2000'));
const CONCURRENCIES = arg('concurrency', '100').split(',').map(Number);
const LATENCY_MS = Number(arg('latency-ms', '2000'));
const POLLERS = arg('pollers', '4');

const CLK_TCK = 100; // Linux USER_HZ
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime + stime
}

function startWorker(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; runner: string }> {
  const bundle = join(ROOT, 'dist/apps/enrichment-worker/main.js');
  const useBundle = existsSync(bundle);
  const args = useBundle ? [bundle] : ['--import', 'tsx', join(ROOT, 'apps/enrichment-worker/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${buffer.slice(-1000)}`)));
    child.stdout?.on('data', (d: Buffer) => {
      buffer = (buffer + String(d)).slice(-20_000);
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*enrichment-worker listening/.exec(buffer);
      if (match) resolve({ child, url: match[1], runner: useBundle ? 'bundle' : 'tsx' });
    });
  });
}

async function run(concurrency: number) {
  const stack = await startLocalStack({
    redis: false,
    eventbridge: false,
    bedrock: { profile: 'zero', faults: { extraLatencyMs: LATENCY_MS } },
  });
  const { child, url, runner } = await startWorker({
    ...stack.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY_MAX: String(concurrency),
    WORKER_POLLERS: POLLERS,
    VISIBILITY_TIMEOUT_SECONDS: '60',
    BACKLOG_MAX: String(Math.max(10_000, JOBS * 2)),
    BULK_MAX_JOBS: String(Math.max(5_000, JOBS)),
    AUTH_JWT_SECRET,
  });
  const auth = { authorization: `Bearer ${await staffToken()}` };
  try {
    const jobs = Array.from({ length: JOBS }, (_, i) => ({
      mangaId: `bench-${i}`,
      type: 'synopsis',
      manga: { title: `Manga ${i}`, titleJp: `漫画${i}`, genre: 'shonen' },
    }));
    const cpuBefore = cpuMs(child.pid as number);
    const started = performance.now();
    for (let i = 0; i < jobs.length; i += 1000) {
      const res = await fetch(`${url}/admin/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ jobs: jobs.slice(i, i + 1000) }),
      });
      if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    }
    const submitted = performance.now();
    let stats: { totals: { completed: number; failed: number } } = { totals: { completed: 0, failed: 0 } };
    while (stats.totals.completed + stats.totals.failed < JOBS) {
      await new Promise((r) => setTimeout(r, 250));
      stats = (await (await fetch(`${url}/admin/stats`, { headers: auth })).json()) as typeof stats;
    }
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = cpuMs(child.pid as number) - cpuBefore;
    const perMin = (JOBS / elapsedS) * 60;
    const theoretical = (concurrency / (LATENCY_MS / 1000)) * 60;
    const peak = stack.bedrock?.stats().peakConcurrency;
    console.log(
      `worker bench [${runner}] concurrency ${concurrency}, latency ${LATENCY_MS} ms, ${JOBS} jobs: ` +
        `${elapsedS.toFixed(1)} s (submit ${((submitted - started) / 1000).toFixed(1)} s), ` +
        `${perMin.toFixed(0)} jobs/min vs theoretical ${theoretical.toFixed(0)} -> ratio ${(perMin / theoretical).toFixed(3)}; ` +
        `emulator peak concurrency ${peak}; failed ${stats.totals.failed}; worker CPU ${(cpu / JOBS).toFixed(2)} ms/job`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await stack.stop();
  }
}

(async () => {
  for (const c of CONCURRENCIES) await run(c);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
