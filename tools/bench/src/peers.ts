// The peer gateway of `npm run bench -- gateway --peers`: the Portkey AI gateway, installed into
// tmp/peers on first use (not a project dependency), run as its own Node process against the same
// Bedrock emulator (Bedrock provider, custom host), OpenAI-format /v1/chat/completions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCpu, SUT_CPU } from './cpu-pinning';

export const PORTKEY_VERSION = process.env.BENCH_PORTKEY_VERSION ?? '1.15.2';

export interface Peer {
  name: string;
  pid: number;
  url: string;
  /** One chat completion; true when answered 200 with a choice. */
  chat(message: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** Installs @portkey-ai/gateway into <root>/tmp/peers unless there; returns its start script. */
export function ensurePortkey(root: string): string {
  const prefix = join(root, 'tmp', 'peers');
  const script = join(prefix, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const installed = join(prefix, 'node_modules', '@portkey-ai', 'gateway', 'package.json');
  const version = existsSync(installed) ? JSON.parse(readFileSync(installed, 'utf8')).version : undefined;
  if (version !== PORTKEY_VERSION) {
    console.log(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${prefix} (peer for the comparison)`);
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--no-save',
        `@portkey-ai/gateway@${PORTKEY_VERSION}`,
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (npm.status !== 0 || !existsSync(script)) throw new Error('could not install @portkey-ai/gateway');
  }
  return script;
}

export async function startPortkey(opts: {
  root: string;
  node: string;
  port: number;
  bedrockUrl: string;
  modelId: string;
  maxTokens: number;
}): Promise<Peer> {
  const script = ensurePortkey(opts.root);
  const child: ChildProcess = spawn(
    ...onCpu(SUT_CPU, opts.node, [script, `--port=${opts.port}`, '--headless']),
    {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${opts.port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300 || child.exitCode !== null) throw new Error('portkey gateway did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const headers = {
    'content-type': 'application/json',
    'x-portkey-provider': 'bedrock',
    'x-portkey-custom-host': opts.bedrockUrl,
    'x-portkey-aws-access-key-id': 'local',
    'x-portkey-aws-secret-access-key': 'local',
    'x-portkey-aws-region': 'us-east-1',
  };
  return {
    name: `portkey ${PORTKEY_VERSION}`,
    pid: child.pid!,
    url,
    async chat(message) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: opts.modelId,
          max_tokens: opts.maxTokens,
          messages: [{ role: 'user', content: message }],
        }),
      });
      const body = (await res.json()) as { choices?: unknown[] };
      return res.status === 200 && Array.isArray(body.choices) && body.choices.length > 0;
    },
    stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
