import { createServer } from 'node:net';

/** Every fixed port of `npm start`, before the offset. Redis keeps 6379 (shared, keys prefixed). */
export const BASE_PORTS = {
  'chat-gateway': 3000,
  'webhook-receiver': 3001,
  'enrichment-worker': 3002,
  'moderation-consumer': 3003,
  dynamodb: 8000,
  sqs: 9324,
  bedrock: 4010,
  eventbridge: 4020,
  'webhook-sink': 4030,
  'api-docs': 4040,
  traces: 4318,
} as const;

export type PortName = keyof typeof BASE_PORTS;
export type LocalPorts = Record<PortName, number>;

/** The only address `npm start` listens on: nothing of the local stack is reachable from the network. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * PORT_OFFSET moves every port at once (e.g. 100: the gateway on 3100), so two stacks can run side
 * by side. Throws with one readable line on a bad value.
 */
export function portOffsetFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.PORT_OFFSET?.trim();
  if (!raw) return 0;
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) {
    throw new Error(`PORT_OFFSET must be an integer from 0 to 50000, got "${raw}"`);
  }
  return offset;
}

export function localPorts(offset = 0): LocalPorts {
  return Object.fromEntries(
    Object.entries(BASE_PORTS).map(([name, port]) => [name, port + offset]),
  ) as LocalPorts;
}

/** The first port that cannot be bound on the host (in use, or not allowed), with its owner's name. */
export async function firstBusyPort(
  ports: Partial<LocalPorts>,
  host = LOCAL_HOST,
): Promise<{ name: string; port: number; code: string } | undefined> {
  for (const [name, port] of Object.entries(ports)) {
    const code = await new Promise<string | undefined>((resolve) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'ERROR'));
      probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
    });
    if (code) return { name, port: port as number, code };
  }
  return undefined;
}

/** A port free on the host now (the kernel's pick), for a server started right after. */
export function freePort(host = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
