// sdk-floor.ts (the gateway's two unavoidable SDK calls) in a process of its own on the core of the
// process under test, driven batch by batch over its stdin, for the gateway benches.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onCpu, SUT_CPU } from './cpu-pinning';

const root = join(__dirname, '..', '..', '..');

export type SdkFloor = Awaited<ReturnType<typeof startSdkFloor>>;

/** sdk-floor.ts in a process of its own, driven batch by batch over its stdin. */
export async function startSdkFloor(env: Record<string, string>, warmup: number) {
  const child = spawn(
    ...onCpu(SUT_CPU, join(root, 'node_modules', '.bin', 'tsx'), [
      join(__dirname, 'sdk-floor.ts'),
      String(warmup),
    ]),
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const answers: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      answers.shift()?.(line);
    }
  });
  const next = () => new Promise<string>((resolve) => answers.push(resolve));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const ready = await Promise.race([next(), exited.then((code) => `exit ${code}`)]);
  if (!ready.includes('ready')) throw new Error(`sdk-floor did not start: ${ready}`);
  const { pid } = JSON.parse(ready) as { pid: number };
  return {
    /** The floor's own process (for /proc: tsx runs it as a child of the one spawned). */
    pid,
    /** CPU (ms) of n iterations of `op` in the floor process. */
    async run(op: 'both' | 'converse' | 'put' | 'rate' | 'noop', n: number, rate?: number): Promise<number> {
      const answer = next();
      child.stdin!.write(`${op} ${n}${rate ? ` ${rate}` : ''}\n`);
      return (JSON.parse(await answer) as { cpuMs: number }).cpuMs;
    },
    async stop() {
      child.stdin!.end('exit\n');
      await exited;
    },
  };
}
