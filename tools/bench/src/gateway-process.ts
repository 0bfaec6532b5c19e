// A chat-gateway bundle started as a process of its own for the gateway benches: on the core of the
// process under test when pinned (cpu-pinning.ts), ready once /healthz answers.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@manga-assist/local-stack';
import { chatMessage } from './chat-sdk-calls';
import { onCpu, SUT_CPU } from './cpu-pinning';
import { imageNodeArgs } from './image-node-args';

const root = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface GatewayProcess {
  port: number;
  url: string;
  pid: number;
  /** SIGTERM, then resolves once it exited (its graceful drain included). */
  stop(): Promise<void>;
}

/** `bundle` run by the project's Node with `env` plus PORT (a free one); rejects if it never gets healthy. */
export async function startGatewayProcess(bundle: string, env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const port = await freePort();
  const nodeArgs = [
    ...imageNodeArgs(),
    ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  ];
  const child = spawn(...onCpu(SUT_CPU, join(root, 'node_modules', '.bin', 'node'), [...nodeArgs, bundle]), {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (i > 200 || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`gateway ${bundle} did not start`);
    }
    await sleep(100);
  }
  return {
    port,
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A bearer token from the gateway's local-mode issuer (benchGatewayEnv turns it on). */
export async function devToken(url: string, userId = 'bench'): Promise<string> {
  const res = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** POST /v1/chat sendMessage with chatMessage(i); the answer's status once its body is read. */
export async function sendChat(url: string, token: string, i: number): Promise<number> {
  const res = await fetch(`${url}/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ action: 'sendMessage', data: { message: chatMessage(i) } }),
  });
  await res.arrayBuffer();
  return res.status;
}
