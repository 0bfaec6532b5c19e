import { createServer, type Server, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningHttpServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts what is left. */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(
  handler: RequestListener,
  {
    port = 0,
    host = '0.0.0.0',
    keepAliveTimeoutMs = 65_000,
  }: { port?: number; host?: string; keepAliveTimeoutMs?: number } = {},
): Promise<RunningHttpServer> {
  const server = createServer(handler);
  // Longer than a load balancer's idle timeout (ALB: 60 s), so the LB never reuses a closed socket.
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = keepAliveTimeoutMs + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port: actualPort,
    url: `http://${displayHost}:${actualPort}`,
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
