// The CPU floor of one chat request: the gateway's two unavoidable SDK calls (Converse, then the
// session PutItem), issued by a process of their own with the clients the gateway builds
// (serviceAws from the same environment, as the services build theirs: same agents, retry, credentials), so that the CPU
// counted is the caller's only (the emulator and dynalite run in the stack's processes).
// Run by gateway.bench.ts --peers: `tsx tools/bench/src/sdk-floor.ts [warm-up]`, environment of the
// local stack; driven over stdin (see main).
import { createInterface } from 'node:readline';
import { awsEnv, resourceNamesEnv, serviceAws } from '@manga-assist/aws-clients';
import { z } from 'zod';
import { chatSdkCalls } from './chat-sdk-calls';

const WARMUP = Number(process.argv[2] ?? 300);
const { aws, names, close } = serviceAws(z.object({ ...awsEnv, ...resourceNamesEnv }).parse(process.env), {
  bedrockMaxAttempts: Number(process.env.FM_MAX_ATTEMPTS ?? 3),
});
const { converse, putItem, pair } = chatSdkCalls(aws, names.tables.sessions);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** n pairs (Converse, then PutItem) started open loop at `rate` per second, as the gateway gets them. */
async function atRate(first: number, n: number, rate: number) {
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const i = first + k;
    all.push(pair(i));
  }
  await Promise.all(all);
}

/**
 * After a warm-up, one command per stdin line: `both|converse|put <n>` runs n iterations in sequence
 * (`noop <n>` none: what a command costs by itself),
 * `rate <n> <per second>` n pairs open loop at that rate; each answers one JSON line {op, n, cpuMs}
 * (CPU of the whole batch); `exit` ends. The bench interleaves batches
 * with its own measurements, so that the floor and the gateway see the same machine load.
 */
async function main() {
  let text = '';
  for (let i = 0; i < WARMUP; i++) await putItem(i, (text = await converse(i)));
  // Its own pid: started through tsx, this is not the process the parent spawned.
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
  const lines = createInterface({ input: process.stdin });
  let i = 0;
  for await (const line of lines) {
    const [op, count, rate] = line.trim().split(/\s+/);
    if (op === 'exit') break;
    const n = Number(count);
    const c0 = cpuMs();
    if (op === 'rate') {
      await atRate(i, n, Number(rate));
      i += n;
    }
    for (let k = 0; op !== 'rate' && op !== 'noop' && k < n; k++, i++) {
      if (op === 'converse') text = await converse(i);
      else if (op === 'put') await putItem(i, text);
      else await putItem(i, (text = await converse(i)));
    }
    process.stdout.write(`${JSON.stringify({ op, n, cpuMs: cpuMs() - c0 })}\n`);
  }
  lines.close();
  close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
