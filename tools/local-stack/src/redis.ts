import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort, LOCAL_HOST } from './ports';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when a Redis server answers PING at the URL within the timeout. */
export function probeRedis(url = DEFAULT_REDIS_URL, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** The machine's redis-server binary, when one is installed. */
export function findRedisServer(): string | undefined {
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

/** Arguments for a throwaway redis-server: loopback only, nothing written to disk. */
export function ephemeralRedisArgs(port: number): string[] {
  return ['--port', String(port), '--bind', LOCAL_HOST, '--save', '', '--appendonly', 'no'];
}

export interface EphemeralRedis {
  url: string;
  /** SIGTERM; resolves once the server has exited. */
  stop(): Promise<void>;
}

/**
 * A redis-server of the caller's own on a free port, started as its child (so on the caller's CPUs).
 * Undefined when redis-server is not installed; throws when it does not answer within ~5 s.
 */
export async function startEphemeralRedis(binary = findRedisServer()): Promise<EphemeralRedis | undefined> {
  if (!binary) return undefined;
  const port = await freePort();
  const server = spawn(binary, ephemeralRedisArgs(port), { stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      gone = true;
      resolve();
    };
    server.once('exit', done);
    // A binary that cannot be run at all emits 'error' and never 'exit'.
    server.once('error', done);
  });
  const url = `redis://${LOCAL_HOST}:${port}`;
  for (let i = 0; !(await probeRedis(url, 200)); i++) {
    if (i >= 50 || gone) {
      server.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => {
      if (!gone) server.kill('SIGTERM');
      return exited;
    },
  };
}
