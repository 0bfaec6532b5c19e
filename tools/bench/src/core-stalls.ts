// Where a slow round's time went, read from /proc: the steal time of a core (the hypervisor ran
// something else on that virtual CPU) and the run-queue delay of a process's main thread (it was
// ready to run while another thread of the machine had its core). Neither is the gateway's own work,
// so a p99 decided in rounds where they are high was decided by the machine.
import { readdirSync, readFileSync } from 'node:fs';

export interface Stalls {
  /** Steal time of the core (ms). */
  stealMs: number;
  /** Run-queue wait of the main thread (ms). */
  waitMs: number;
  /** CPU of the process's other threads (V8's GC and compiler helpers, libuv's pool), which share its core (ms). */
  helpersMs: number;
}

// USER_HZ, the unit of /proc/stat: 100 on every Linux architecture Node runs on.
const MS_PER_TICK = 10;

/** Steal time of core `cpu` (of every core: 'all') since boot (ms); 0 where /proc/stat is not readable. */
export function coreStealMs(cpu: number | 'all'): number {
  try {
    const prefix = cpu === 'all' ? 'cpu ' : `cpu${cpu} `;
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(prefix));
    // cpuN user nice system idle iowait irq softirq steal ...
    const steal = Number(line?.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? steal * MS_PER_TICK : 0;
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
