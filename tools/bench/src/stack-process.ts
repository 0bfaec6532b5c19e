// The local stack in processes of its own, for benches whose load generator must not share an event
// loop with the system's dependencies: in one process, the synchronous work dynalite does for one
// gateway's session write delays the timestamps of every request the generator measures meanwhile,
// and a model call made from the generator never leaves its process while one through a gateway
// crosses two. The Bedrock emulator runs apart from dynalite, fauxqs and the EventBridge router, as
// Bedrock and DynamoDB are separate services: in one event loop, a gateway's session writes and
// events delayed the model answers of the requests behind them, which a direct model call (with no
// writes) never saw.
// Parent side: startStackProcess(). Child side: this file run with BENCH_STACK_CHILD=services|model,
// which prints one JSON line (env, redis key prefix) once ready and stops when its stdin closes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEphemeralRedis, startLocalStack } from '@manga-assist/local-stack';
import { startBedrockEmulator } from '@manga-assist/bedrock-emulator';
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
  redisKeyPrefix?: string;
  /** True when the services process runs a redis-server of its own (see startOwnRedis). */
  ownRedis?: boolean;
}

type Part = 'services' | 'model';

export interface StackProcess {
  /** The process of dynalite, fauxqs and the router ('services'), and the Bedrock emulator's ('model'). */
  pids: Record<Part, number>;
  env: Record<string, string>;
  names: ResourceNames;
  redisKeyPrefix: string;
  /** Whose Redis: the stack's own, on the stack's core, or the machine's (no redis-server binary). */
  redis: 'own' | 'machine';
  /** SDK clients in this process aimed at the stack (built from `env` as the services build theirs). */
  clients: AwsClients;
  stop(): Promise<void>;
}

const root = join(__dirname, '..', '..', '..');

function startPart(part: Part, profile: 'zero' | 'demo') {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    cwd: root,
    env: { ...process.env, BENCH_STACK_CHILD: part, BENCH_STACK_PROFILE: profile, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = new Promise<Ready>((resolve, reject) => {
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
      reject(new Error(`the stack's ${part} process exited with ${code} before it was ready`)),
    );
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin.end();
    await exited;
  };
  return { child, ready, stop };
}

/** Starts the stack (Bedrock emulator profile `profile`) in two child processes; resolves once both are ready. */
export async function startStackProcess(profile: 'zero' | 'demo' = 'zero'): Promise<StackProcess> {
  const parts = { services: startPart('services', profile), model: startPart('model', profile) };
  let services: Ready;
  let model: Ready;
  try {
    [services, model] = await Promise.all([parts.services.ready, parts.model.ready]);
  } catch (error) {
    await Promise.all([parts.services.stop(), parts.model.stop()]);
    throw error;
  }
  const pid = (part: Part) => {
    const value = parts[part].child.pid;
    if (value === undefined) throw new Error(`the stack's ${part} process has no pid`);
    return value;
  };
  const env = { ...services.env, ...model.env };
  const { aws, names, close } = serviceAws(z.object({ ...awsEnv, ...resourceNamesEnv }).parse(env));
  return {
    pids: { services: pid('services'), model: pid('model') },
    env,
    names,
    redisKeyPrefix: services.redisKeyPrefix ?? '',
    redis: services.ownRedis ? 'own' : 'machine',
    clients: aws,
    async stop() {
      close();
      await Promise.all([parts.services.stop(), parts.model.stop()]);
    },
  };
}

/**
 * A redis-server of the stack's own, started from this process and so on its core: the machine's
 * Redis may run on any core, the gateway's included, where its work for our rate limit evicted the
 * gateway's caches and took its CPU (ElastiCache is another machine). Undefined without the binary,
 * or with BENCH_REDIS=machine: the machine's Redis is used then.
 */
const startOwnRedis = () =>
  process.env.BENCH_REDIS === 'machine' ? Promise.resolve(undefined) : startEphemeralRedis();

async function child(part: Part) {
  const profile = process.env.BENCH_STACK_PROFILE === 'demo' ? 'demo' : 'zero';
  let ready: Ready;
  let stop: () => Promise<void>;
  if (part === 'model') {
    const emulator = await startBedrockEmulator({ profile, host: '127.0.0.1', port: 0 });
    ready = { env: { BEDROCK_ENDPOINT: emulator.url } };
    stop = () => emulator.stop();
  } else {
    const redis = await startOwnRedis();
    const stack = await startLocalStack({ bedrock: false, ...(redis ? { redisUrl: redis.url } : {}) }).catch(
      async (error: unknown) => {
        await redis?.stop();
        throw error;
      },
    );
    ready = { env: stack.env, redisKeyPrefix: stack.redisKeyPrefix, ownRedis: Boolean(redis) };
    stop = async () => {
      try {
        await stack.stop();
      } finally {
        await redis?.stop();
      }
    };
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  await new Promise((r) => process.stdin.once('end', r));
  await stop();
}

const part = process.env.BENCH_STACK_CHILD;
if (part === 'services' || part === 'model') {
  child(part).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
