// npm run bench -- shutdown [clients]
//
// Graceful stop with keep-alive clients (issue 17 item 4): chat-gateway runs as its own process
// (node --import tsx) against an in-process local stack whose Bedrock emulator answers in about a
// second or two ('demo' profile). N keep-alive clients (default 50) each send POST /v1/chat on
// their own connection; once all are in flight the gateway gets SIGTERM. Prints when every answer
// left (relative to the SIGTERM), their statuses and Connection headers, and when the process
// exited: the exit should follow the last answer at once, not the shutdown bound.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startLocalStack } from '@manga-assist/local-stack';
import { benchGatewayEnv } from './gateway-env';
import { devToken } from './gateway-process';
import { chatMessage } from './chat-sdk-calls';

const CLIENTS = Number(process.argv[2] ?? 50);
const root = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function post(agent: Agent, url: string, token: string, body: string) {
  return new Promise<{ status: number; connection?: string; at: number }>((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, at: performance.now() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const stack = await startLocalStack({ bedrock: { profile: 'demo' } });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps', 'chat-gateway', 'src', 'main.ts')],
    {
      env: benchGatewayEnv(stack, {
        PORT: String(port),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_POINTS: '100000',
        SHUTDOWN_TIMEOUT_MS: '10000',
      }),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<{ at: number; code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ at: performance.now(), code, signal })),
  );
  try {
    for (
      let i = 0;
      !(await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      if (i > 300) throw new Error('gateway did not start');
      await sleep(100);
    }
    const token = await devToken(url, 'shutdown-bench');
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const body = (i: number) => JSON.stringify({ action: 'sendMessage', data: { message: chatMessage(i) } });
    // Warm every connection once, so each client holds a keep-alive socket.
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => post(agent, `${url}/v1/chat`, token, body(i))),
    );
    const inFlight = Array.from({ length: CLIENTS }, (_, i) =>
      post(agent, `${url}/v1/chat`, token, body(1000 + i)).catch((e: Error) => ({
        status: -1,
        connection: e.message,
        at: performance.now(),
      })),
    );
    await sleep(300);
    const sigtermAt = performance.now();
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    const exit = await exited;
    const rel = (t: number) => `${(t - sigtermAt).toFixed(0)} ms`;
    const times = answers.map((a) => a.at).sort((a, b) => a - b);
    const statuses = answers.reduce<Record<string, number>>(
      (m, a) => (
        (m[`${a.status} connection=${a.connection}`] =
          (m[`${a.status} connection=${a.connection}`] ?? 0) + 1),
        m
      ),
      {},
    );
    const last = times[times.length - 1];
    console.log(`clients in flight at SIGTERM: ${CLIENTS}`);
    console.log(`answers: ${answers.length}  by status: ${JSON.stringify(statuses)}`);
    console.log(`first answer after SIGTERM: ${rel(times[0])}   last answer: ${rel(last)}`);
    console.log(`process exit after SIGTERM: ${rel(exit.at)} (code ${exit.code}, signal ${exit.signal})`);
    console.log(`exit - last answer: ${(exit.at - last).toFixed(0)} ms   (shutdown bound: 10000 ms)`);
    agent.destroy();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
