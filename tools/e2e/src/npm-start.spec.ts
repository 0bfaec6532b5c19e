import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';

// `npm start` end to end: the whole system comes up, every service answers /readyz, and a Ctrl-C
// (SIGINT to the whole process group, as a terminal sends it) leaves nothing behind.
const root = resolve(__dirname, '../../..');
const servicePorts = [3000, 3001, 3002, 3003];
const stackPorts = [8000, 9324, 4010, 4020, 4030];

const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

jest.setTimeout(120_000);

it('npm start brings up the stack and four ready services, and Ctrl-C stops every process', async () => {
  const busy = (await Promise.all([...servicePorts, ...stackPorts].map(portOpen))).some(Boolean);
  if (busy) throw new Error('a port npm start needs is already taken (is another `npm start` running?)');

  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['tools/local-stack/src/main.ts'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C stops everything') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(output).toContain('Ctrl-C stops everything');
    expect(output).not.toContain('NOT READY');
    for (const port of servicePorts) {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect({ port, status: res.status }).toEqual({ port, status: 200 });
    }
  } finally {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
  }
  expect(await exited).toBe(0);
  expect(output).toContain('[local-stack] stopped');
  await new Promise((r) => setTimeout(r, 500));
  const stillOpen = [];
  for (const port of [...servicePorts, ...stackPorts]) if (await portOpen(port)) stillOpen.push(port);
  expect(stillOpen).toEqual([]);
});
