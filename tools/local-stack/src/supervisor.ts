import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Supervised {
  name: string;
  child: ChildProcess;
  exited: Promise<Exit>;
}

/** "code 3" or "signal SIGKILL": how a process ended, for one log line. */
export function describeExit({ code, signal }: Exit): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/** Starts a child with its output prefixed by its name, so four services can share one terminal. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Supervised {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A command that cannot be spawned at all emits 'error' and never 'exit'.
    child.once('error', () => resolve({ code: child.exitCode ?? 127, signal: null }));
  });
  return { name, child, exited };
}

/** SIGTERM, then SIGKILL after the grace period; resolves when the child is gone. */
export async function stopChild(s: Supervised, graceMs = 10_000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
  await s.exited;
  clearTimeout(timer);
}

export interface RestartPolicy {
  /** First restart delay; doubles with every crash that follows quickly (default 500 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A run at least this long counts as healthy: the next crash restarts after the initial delay again. */
  resetAfterMs?: number;
}

export interface ServiceSupervisor {
  readonly name: string;
  /** The process running now (a new one after every restart). */
  current(): Supervised;
  readonly restarts: number;
  /** Stops the current process and restarts no more. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Keeps one service running like an orchestrator would: when it exits on its own it is started
 * again after a backoff (500 ms doubling to 30 s, reset after a minute of healthy running), and
 * every exit and restart is reported through `log` with the exit code or signal. Only `stop()`
 * ends the supervision.
 */
export function superviseChild(
  name: string,
  start: () => Supervised,
  log: (message: string) => void,
  { initialDelayMs = 500, maxDelayMs = 30_000, resetAfterMs = 60_000 }: RestartPolicy = {},
): ServiceSupervisor {
  let running = start();
  let restarts = 0;
  let stopped = false;
  let delayMs = initialDelayMs;
  let pending: NodeJS.Timeout | undefined;

  const watch = (s: Supervised) => {
    const startedAt = Date.now();
    void s.exited.then((exit) => {
      if (stopped) return;
      if (Date.now() - startedAt >= resetAfterMs) delayMs = initialDelayMs;
      log(`${name} exited unexpectedly (${describeExit(exit)}); restarting in ${delayMs} ms`);
      pending = setTimeout(() => {
        pending = undefined;
        if (stopped) return;
        restarts++;
        running = start();
        log(`${name} restarted (restart #${restarts}, pid ${running.child.pid})`);
        watch(running);
      }, delayMs);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    });
  };
  watch(running);

  return {
    name,
    current: () => running,
    get restarts() {
      return restarts;
    },
    async stop(graceMs) {
      stopped = true;
      if (pending) clearTimeout(pending);
      await stopChild(running, graceMs);
    },
  };
}

/** Polls a URL until it answers 200 or the deadline passes. */
export async function waitForReady(url: string, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}
