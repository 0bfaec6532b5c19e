import { createConnection } from 'node:net';

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
