// The local stack (dynalite, fauxqs, the Bedrock emulator, the EventBridge router) in a process of
// its own, for benches whose load generator must not share an event loop with the system's
// dependencies: in one process, the synchronous work dynalite does for one gateway's session write
// delays the timestamps of every request the generator measures meanwhile, and a model call made
// from the generator never leaves its process while one through a gateway crosses two.
// Parent side: startStackProcess(). Child side: this file run with BENCH_STACK_CHILD=1, which
// prints one JSON line (env, names, redis key prefix) once ready and stops when its stdin closes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalStack } from '@manga-assist/local-stack';
import {
  awsEnv,
  resourceNamesEnv,
  serviceAws,
  type AwsClients,
  type ResourceNames,
} from '@manga-assist/aws-clients';
import { z } from 'zod';

interface Ready {
  env: Record<string, string>;
  redisKeyPrefix: string;
}

export interface StackProcess {
  pid: number;
  env: Record<string, string>;
  names: ResourceNames;
  redisKeyPrefix: string;
  /** SDK clients in this process aimed at the stack (built from `env` as the services build theirs). */
  clients: AwsClients;
  stop(): Promise<void>;
}

const root = join(__dirname, '..', '..', '..');

/** Starts the stack (Bedrock emulator profile `profile`) in a child process; resolves once it is ready. */
export async function startStackProcess(profile: 'zero' | 'demo' = 'zero'): Promise<StackProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    cwd: root,
    env: { ...process.env, BENCH_STACK_CHILD: '1', BENCH_STACK_PROFILE: profile, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      resolve(JSON.parse(out.slice(0, nl)) as Ready);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the stack process exited with ${code} before it was ready`)),
    );
  });
  if (child.pid === undefined) throw new Error('the stack process has no pid');
  const pid = child.pid;
  const { aws, names, close } = serviceAws(z.object({ ...awsEnv, ...resourceNamesEnv }).parse(ready.env));
  return {
    pid,
    env: ready.env,
    names,
    redisKeyPrefix: ready.redisKeyPrefix,
    clients: aws,
    async stop() {
      close();
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}

async function child() {
  const profile = process.env.BENCH_STACK_PROFILE === 'demo' ? 'demo' : 'zero';
  const stack = await startLocalStack({ bedrock: { profile } });
  const ready: Ready = { env: stack.env, redisKeyPrefix: stack.redisKeyPrefix };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  await new Promise((r) => process.stdin.once('end', r));
  await stack.stop();
}

if (process.env.BENCH_STACK_CHILD === '1') {
  child().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
