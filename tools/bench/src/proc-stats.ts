// What the benches read from /proc: a process's CPU time, and where a slow round's time went: the
// steal time of a core (the hypervisor ran something else on that virtual CPU), the run-queue wait
// of a process's main thread (it was ready while another thread had its core) and the CPU of the
// process's other threads (V8's helpers, which share a pinned process's core with its main thread).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;
/** USER_HZ, the unit of /proc/<pid>/stat and /proc/stat (asked once, on first use). */
const msPerTick = () =>
  1000 /
  (clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100);

/** CPU time (user + system, ms) of a process from /proc/<pid>/stat: the same meter for every process measured. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * msPerTick(); // utime, stime (fields 14, 15)
}

export interface Stalls {
  /** Steal time of the core (ms). */
  stealMs: number;
  /** Run-queue wait of the main thread (ms). */
  waitMs: number;
  /** CPU of the process's other threads (V8's GC and compiler helpers, libuv's pool), which share its core (ms). */
  helpersMs: number;
}

/** Steal time of core `cpu` (of every core: 'all') since boot (ms); 0 where /proc/stat is not readable. */
export function coreStealMs(cpu: number | 'all'): number {
  try {
    const prefix = cpu === 'all' ? 'cpu ' : `cpu${cpu} `;
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(prefix));
    // cpuN user nice system idle iowait irq softirq steal ...
    const steal = Number(line?.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? steal * msPerTick() : 0;
  } catch {
    return 0;
  }
}

/** Time the main thread of `pid` spent runnable but waiting for a CPU, since it started (ms). */
export function runQueueDelayMs(pid: number): number {
  try {
    // run time (ns), run-queue wait (ns), time slices
    const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/)[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : 0;
  } catch {
    return 0;
  }
}

/** CPU time of the threads of `pid` other than the main one, since they started (ms). */
export function helperThreadsMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      if (tid === String(pid)) continue;
      const runNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/)[0]);
      if (Number.isFinite(runNs)) ns += runNs;
    }
    return ns / 1e6;
  } catch {
    return 0;
  }
}
