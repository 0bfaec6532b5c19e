// Shared by the worker benches: an enrichment-worker process (the esbuild bundle when built, else
// tsx on main.ts) against a local stack, driven through its staff-only admin API.
import { spawn, type ChildProcess } from 'node:child_process';
import { imageNodeArgs } from './image-node-args';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDevTokenIssuer, STAFF_ROLE } from '@manga-assist/identity';

// The admin API is staff-only: the bench mints its own staff token for a throwaway secret.
export const AUTH_JWT_SECRET = 'bench-only-secret-0123456789abcdefghijkl';
export const staffHeaders = async () => {
  const { token } = await createDevTokenIssuer({
    secret: AUTH_JWT_SECRET,
    issuer: 'manga-assist',
    audience: 'manga-assist-chat',
  }).issue('bench', 3600, [STAFF_ROLE]);
  return { authorization: `Bearer ${token}` };
};

export const ROOT = join(__dirname, '../../..');
export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkerProcess {
  child: ChildProcess;
  url: string;
  runner: 'bundle' | 'tsx';
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const bundle = join(ROOT, 'dist/apps/enrichment-worker/main.js');
  const useBundle = existsSync(bundle);
  const args = useBundle
    ? [...imageNodeArgs(), bundle]
    : ['--import', 'tsx', join(ROOT, 'apps/enrichment-worker/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', AUTH_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${buffer.slice(-1000)}`)));
    child.stdout?.on('data', (d: Buffer) => {
      buffer = (buffer + String(d)).slice(-20_000);
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*enrichment-worker listening/.exec(buffer);
      if (match)
        resolve({
          child,
          url: match[1],
          runner: useBundle ? 'bundle' : 'tsx',
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
    });
  });
}

export interface WorkerStats {
  concurrencyLimit: number;
  concurrencyMode: string;
  modelCallsRunning: number;
  dlq: { visible?: number };
  totals: { completed: number; failed: number; skipped: number };
}

export async function workerStats(url: string, headers: Record<string, string>): Promise<WorkerStats> {
  return (await (await fetch(`${url}/admin/stats`, { headers })).json()) as WorkerStats;
}

export interface BenchJob {
  mangaId: string;
  type: 'synopsis' | 'tags' | 'description';
  manga: { title: string; titleJp?: string; genre?: string };
}

/** Submits through the admin API in bulk requests of 1,000; returns the job ids in order. */
export async function submitJobs(
  url: string,
  headers: Record<string, string>,
  jobs: BenchJob[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < jobs.length; i += 1000) {
    const res = await fetch(`${url}/admin/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ jobs: jobs.slice(i, i + 1000) }),
    });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { jobs: { jobId: string }[] };
    ids.push(...body.jobs.map((j) => j.jobId));
  }
  return ids;
}
