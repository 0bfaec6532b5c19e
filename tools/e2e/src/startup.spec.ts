import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import {
  BASE_PORTS,
  freePort,
  localServices,
  startLocalStack,
  type LocalStack,
  type LocalPorts,
} from '@manga-assist/local-stack';

// One start-up behaviour (issue 17 item 8): every service, started while SQS and DynamoDB are
// down, stays alive, answers /healthz, reports not ready with the reason on /readyz, and becomes
// ready on its own within seconds once they are up, without a restart.
const root = resolve(__dirname, '../../..');

const readyz = async (port: number) => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: JSON.stringify(await res.json()) };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
};

jest.setTimeout(180_000);

it('every service starts with SQS and DynamoDB down, reports why it is not ready, is ready within seconds once they are up, and answers refusals in JSON', async () => {
  const names = Object.keys(BASE_PORTS);
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()])),
  ) as LocalPorts;
  const services = localServices(root, ports);
  const down = {
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamodb}`,
    SQS_ENDPOINT: `http://127.0.0.1:${ports.sqs}`,
    EVENTBRIDGE_ENDPOINT: `http://127.0.0.1:${ports.eventbridge}`,
    BEDROCK_ENDPOINT: `http://127.0.0.1:${ports.bedrock}`,
  };
  const children: { name: string; port: number; child: ChildProcess; exits: number; output: string }[] = [];
  let stack: LocalStack | undefined;
  try {
    for (const s of services) {
      const child = spawn(process.execPath, ['--import', 'tsx', s.entry], {
        cwd: root,
        env: {
          ...process.env,
          ...down,
          ...s.env,
          PORT: String(s.port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          REDIS_URL: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const entry = { name: s.name, port: s.port, child, exits: 0, output: '' };
      child.stdout?.on('data', (d) => (entry.output = (entry.output + String(d)).slice(-4000)));
      child.stderr?.on('data', (d) => (entry.output = (entry.output + String(d)).slice(-4000)));
      child.once('exit', () => entry.exits++);
      children.push(entry);
    }

    // Alive and not ready, with the reason, for every one.
    for (const c of children) {
      const deadline = Date.now() + 60_000;
      let report = await readyz(c.port);
      while (report.status !== 503 && Date.now() < deadline && c.exits === 0) {
        await new Promise((r) => setTimeout(r, 250));
        report = await readyz(c.port);
      }
      const healthz = await fetch(`http://127.0.0.1:${c.port}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      process.stdout.write(
        `${c.name} with SQS+DynamoDB down: /healthz ${healthz}, /readyz ${report.status} ${report.body.slice(0, 300)}${c.exits ? `\n${c.output}` : ''}\n`,
      );
      expect({ name: c.name, exits: c.exits, healthz, readyz: report.status }).toEqual({
        name: c.name,
        exits: 0,
        healthz: 200,
        readyz: 503,
      });
      expect(report.body).toMatch(/ECONNREFUSED/);
    }

    // Bring DynamoDB and SQS up on the ports the services were given.
    const upAt = Date.now();
    stack = await startLocalStack({
      ports: { dynamodb: ports.dynamodb, sqs: ports.sqs },
      redis: false,
      bedrock: false,
      eventbridge: false,
    });
    const provisionedAt = Date.now();
    for (const c of children) {
      const deadline = Date.now() + 30_000;
      let report = await readyz(c.port);
      while (report.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        report = await readyz(c.port);
      }
      process.stdout.write(
        `${c.name}: ready ${((Date.now() - provisionedAt) / 1000).toFixed(1)} s after the stack was provisioned (${((provisionedAt - upAt) / 1000).toFixed(1)} s to start and provision it); pid ${c.child.pid}, exits ${c.exits}\n`,
      );
      expect({ name: c.name, readyz: report.status, body: report.status === 200 ? '' : report.body }).toEqual(
        { name: c.name, readyz: 200, body: '' },
      );
      expect({
        name: c.name,
        exits: c.exits,
        alive: c.child.exitCode === null && c.child.signalCode === null,
      }).toEqual({ name: c.name, exits: 0, alive: true });
    }

    // Every answer is JSON in the one error shape (issue 17 item 3), whatever refused the request.
    for (const c of children) {
      const base = `http://127.0.0.1:${c.port}`;
      const answers = [
        await fetch(`${base}/no/such/path`, { headers: { 'accept-language': 'en' } }),
        await fetch(`${base}/healthz`, { method: 'DELETE', headers: { 'accept-language': 'en' } }),
        await fetch(`${base}/healthz`, {
          headers: { 'accept-language': 'en', 'x-big': 'a'.repeat(20 * 1024) },
        }),
      ];
      const seen = [];
      for (const res of answers) {
        const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
        seen.push(`${res.status} ${res.headers.get('content-type')} ${JSON.stringify(body)}`);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(typeof body.error?.code).toBe('string');
        expect(typeof body.error?.message).toBe('string');
      }
      expect(answers.map((r) => r.status)).toEqual([404, 404, 431]);
      process.stdout.write(`${c.name}: ${seen.join(' | ')}\n`);
    }
    const gateway = children.find((c) => c.name === 'chat-gateway')!;
    const refusal = await new Promise<string>((done, fail) => {
      const socket = connect(gateway.port, '127.0.0.1', () =>
        socket.end(
          'GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAccept-Language: en\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    process.stdout.write(
      `chat-gateway WebSocket upgrade without a token: ${refusal.replace(/\r\n/g, ' | ')}\n`,
    );
    expect(refusal).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(refusal.split('\r\n\r\n')[1])).toEqual({
      error: { code: 'TOKEN_MISSING', message: 'Authentication required. Please sign in again.' },
    });
  } finally {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await stack?.stop();
  }
});
