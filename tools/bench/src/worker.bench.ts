// npm run bench -- worker [--jobs 2000] [--concurrency 100 | 10,50,100] [--latency-ms 2000] [--pollers 4]
//                         [--throttle rate:0.3,quota:20,rps:10,recover:quota:20] [--quota-jobs 600]
//                         [--recover-after 30] [--max-seconds 600]
//
// One enrichment-worker process against the in-process local stack, with the Bedrock emulator
// answering every call after `latency-ms`. Submits all jobs at once through the admin API, waits
// until every job is completed, and prints jobs/min, the ratio to the theoretical concurrency /
// latency, the emulator's peak concurrency (proof of parallelism) and the worker's CPU ms per job.
//
// --throttle: first an unthrottled run, then one run per mode in the same invocation, each printed
// as a fraction of the unthrottled throughput, with the share of model calls throttled, the DLQ
// count and the concurrency limit's mean over the second half of the run
// (docs/architecture.md#concurrency-limit):
//   rate:P        load-independent throttling: a share P of calls throttled whatever the load;
//   quota:N       at most N calls in flight (more are throttled); also printed against N / latency
//                 and against an unthrottled run at concurrency N (what the quota allows on this box);
//   rps:N         at most N calls admitted per second; also printed against N jobs/s;
//   recover:MODE  MODE for --recover-after seconds, then no throttling: prints the time from then
//                 until the limit is back at --concurrency.
// Quota and rps runs take --quota-jobs jobs (their throughput is low), the others --jobs.
import { loadavg } from 'node:os';
import { startLocalStack } from '@manga-assist/local-stack';
import {
  arg,
  sleep,
  staffHeaders,
  startWorkerProcess,
  submitJobs,
  workerStats,
  type WorkerStats,
} from './worker-process';
import { processCpuMs } from './proc-stats';

const JOBS = Number(arg('jobs', '2000'));
const QUOTA_JOBS = Number(arg('quota-jobs', '600'));
const CONCURRENCIES = arg('concurrency', '100').split(',').map(Number);
const LATENCY_MS = Number(arg('latency-ms', '2000'));
const POLLERS = arg('pollers', '4');
const THROTTLE = arg('throttle', '');
const RECOVER_AFTER_S = Number(arg('recover-after', '30'));
const MAX_SECONDS = Number(arg('max-seconds', '600'));

interface Mode {
  label: string;
  faults: Record<string, unknown>;
  /** Jobs per second the throttling allows at best (undefined: only the concurrency bounds it). */
  ceilingPerS?: number;
  recover: boolean;
}

function parseMode(spec: string): Mode {
  const [kind, value, ...rest] = spec.split(':');
  if (kind === 'recover') return { ...parseMode([value, ...rest].join(':')), label: spec, recover: true };
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--throttle ${spec}: ${value} is not a number`);
  if (kind === 'rate') return { label: spec, faults: { throttleRate: n }, recover: false };
  if (kind === 'quota')
    return {
      label: spec,
      faults: { concurrencyLimit: n },
      ceilingPerS: n / (LATENCY_MS / 1000),
      recover: false,
    };
  if (kind === 'rps') return { label: spec, faults: { rateLimit: n }, ceilingPerS: n, recover: false };
  throw new Error(`--throttle ${spec}: expected rate:P, quota:N, rps:N or recover:<mode>`);
}

interface RunResult {
  runner: string;
  jobs: number;
  elapsedS: number;
  perMin: number;
  completed: number;
  failed: number;
  dlq: number;
  calls: number;
  throttled: number;
  peak: number;
  cpuPerJob: number;
  meanLimit: number;
  minLimit: number;
  mode: string;
  /** Limit changes by reason, from the worker's enrichment_concurrency_limit_changes_total. */
  changes: string;
  recoveryS?: number;
}

async function limitChanges(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const rows = [
    ...text.matchAll(/enrichment_concurrency_limit_changes_total\{reason="([^"]+)"[^}]*\} (\d+)/g),
  ];
  return rows.map(([, reason, n]) => `${reason} ${n}`).join(', ') || 'none';
}

async function run(
  concurrency: number,
  jobCount: number,
  mode?: Mode,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const stack = await startLocalStack({
    redis: false,
    eventbridge: false,
    bedrock: { profile: 'zero', faults: { extraLatencyMs: LATENCY_MS, ...mode?.faults } },
  });
  const worker = await startWorkerProcess({
    ...stack.env,
    WORKER_CONCURRENCY_MAX: String(concurrency),
    WORKER_POLLERS: POLLERS,
    VISIBILITY_TIMEOUT_SECONDS: '60',
    BACKLOG_MAX: String(Math.max(10_000, jobCount * 2)),
    BULK_MAX_JOBS: String(Math.max(5_000, jobCount)),
    ...env,
  });
  const auth = await staffHeaders();
  try {
    const jobs = Array.from({ length: jobCount }, (_, i) => ({
      mangaId: `bench-${i}`,
      type: 'synopsis' as const,
      manga: { title: `Manga ${i}`, titleJp: `漫画${i}`, genre: 'shonen' },
    }));
    const pid = worker.child.pid as number;
    const cpuBefore = processCpuMs(pid);
    const started = performance.now();
    await submitJobs(worker.url, auth, jobs);
    const limits: { t: number; limit: number }[] = [];
    let stats: WorkerStats | undefined;
    let clearedAt: number | undefined;
    let recoveryS: number | undefined;
    while (!stats || stats.totals.completed + stats.totals.failed < jobCount) {
      await sleep(250);
      stats = await workerStats(worker.url, auth);
      const t = (performance.now() - started) / 1000;
      limits.push({ t, limit: stats.concurrencyLimit });
      if (mode?.recover && clearedAt === undefined && t >= RECOVER_AFTER_S) {
        stack.bedrock!.setFaults({ throttleRate: 0, concurrencyLimit: null, rateLimit: null });
        clearedAt = t;
      }
      if (clearedAt !== undefined && recoveryS === undefined && stats.concurrencyLimit >= concurrency)
        recoveryS = t - clearedAt;
      if (t > MAX_SECONDS)
        throw new Error(`run not finished after ${MAX_SECONDS} s: ${JSON.stringify(stats.totals)}`);
    }
    const elapsedS = (performance.now() - started) / 1000;
    const secondHalf = limits.filter((s) => s.t >= elapsedS / 2).map((s) => s.limit);
    const emulator = stack.bedrock!.stats();
    return {
      runner: worker.runner,
      jobs: jobCount,
      elapsedS,
      perMin: (jobCount / elapsedS) * 60,
      completed: stats.totals.completed,
      failed: stats.totals.failed,
      dlq: stats.dlq.visible ?? Number.NaN,
      calls: emulator.requests,
      throttled: emulator.errors.ThrottlingException ?? 0,
      peak: emulator.peakConcurrency,
      cpuPerJob: (processCpuMs(pid) - cpuBefore) / jobCount,
      meanLimit: secondHalf.reduce((a, b) => a + b, 0) / Math.max(1, secondHalf.length),
      minLimit: Math.min(...secondHalf),
      mode: stats.concurrencyMode,
      changes: await limitChanges(worker.url),
      recoveryS,
    };
  } finally {
    await worker.stop();
    await stack.stop();
  }
}

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

function summary(label: string, concurrency: number, r: RunResult) {
  const theoretical = (concurrency / (LATENCY_MS / 1000)) * 60;
  return (
    `worker bench [${r.runner}] ${label}: concurrency ${concurrency}, latency ${LATENCY_MS} ms, ${r.jobs} jobs: ` +
    `${r.elapsedS.toFixed(1)} s, ${r.perMin.toFixed(0)} jobs/min vs theoretical ${theoretical.toFixed(0)} -> ratio ` +
    `${(r.perMin / theoretical).toFixed(3)}; emulator peak concurrency ${r.peak}; failed ${r.failed}; ` +
    `worker CPU ${r.cpuPerJob.toFixed(2)} ms/job; ${load()}`
  );
}

async function throttled(concurrency: number) {
  const modes = THROTTLE.split(',').filter(Boolean).map(parseMode);
  const clear = await run(concurrency, JOBS);
  console.log(summary('unthrottled', concurrency, clear));
  for (const mode of modes) {
    const jobs = mode.ceilingPerS !== undefined && !mode.recover ? QUOTA_JOBS : JOBS;
    // What the quota allows on this box: an unthrottled run at concurrency = the quota, same jobs.
    const quota = mode.faults.concurrencyLimit as number | undefined;
    const reference =
      quota !== undefined && !mode.recover
        ? await run(quota, jobs, undefined, { WORKER_CONCURRENCY_INITIAL: String(quota) })
        : undefined;
    if (reference) console.log(summary(`unthrottled at the quota's concurrency`, quota as number, reference));
    const r = await run(concurrency, jobs, mode);
    const parts = [
      `throughput ${(r.perMin / clear.perMin).toFixed(3)} of unthrottled`,
      mode.ceilingPerS !== undefined
        ? `${(r.perMin / 60 / Math.min(mode.ceilingPerS, concurrency / (LATENCY_MS / 1000))).toFixed(3)} of the quota's ${mode.ceilingPerS.toFixed(1)} jobs/s`
        : undefined,
      reference
        ? `${(r.perMin / reference.perMin).toFixed(3)} of an unthrottled run at concurrency ${quota} on this box`
        : undefined,
      `throttled calls ${((100 * r.throttled) / Math.max(1, r.calls)).toFixed(1)}% (${r.throttled}/${r.calls})`,
      `DLQ ${r.dlq}`,
      `limit mean (2nd half) ${r.meanLimit.toFixed(1)} (min ${r.minLimit}), mode ${r.mode}, changes: ${r.changes}`,
      mode.recover
        ? r.recoveryS !== undefined
          ? `back to ${concurrency} ${r.recoveryS.toFixed(1)} s after throttling stopped (at ${RECOVER_AFTER_S} s)`
          : `NOT back to ${concurrency} before the run ended`
        : undefined,
    ].filter(Boolean);
    console.log(`${summary(`--throttle ${mode.label}`, concurrency, r)}\n  -> ${parts.join('; ')}`);
  }
}

(async () => {
  if (THROTTLE) return throttled(CONCURRENCIES[0]);
  for (const c of CONCURRENCIES) console.log(summary('', c, await run(c, JOBS)));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
