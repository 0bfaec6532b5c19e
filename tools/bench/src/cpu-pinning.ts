// CPU pinning for the gateway benches: the process under test (a gateway, or the SDK floor) gets a
// core of its own, as an ECS task has its vCPUs, while the load generator and the local stack
// (which stand in for clients and AWS, on other machines in production) share the other. Unpinned,
// every process competes for both cores and a gateway's tail latency measures the scheduler.
// BENCH_PIN=0 turns it off; it is off on a single core or without taskset.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

export const PINNING =
  process.env.BENCH_PIN !== '0' &&
  cpus().length >= 2 &&
  spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** The core of the process under test. */
export const SUT_CPU = 1;
/** The core of the load generator and the stack. */
export const LOAD_CPU = 0;

/** `command args` started on `cpu` (and every thread and child it starts), when pinning is on. */
export function onCpu(cpu: number, command: string, args: string[]): [string, string[]] {
  return PINNING ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

/** Moves this process (all its threads) to `cpu`, when pinning is on. */
export function pinSelf(cpu: number): void {
  if (PINNING)
    spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}
