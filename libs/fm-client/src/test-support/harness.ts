import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAwsClients, type AwsClients } from '@manga-assist/aws-clients';
import { startBedrockEmulator, type BedrockEmulator } from '@manga-assist/bedrock-emulator';
import { Registry } from '@manga-assist/service-runtime';
import { createFmClient, type FmClient, type FmClientOptions, type InferenceRecord } from '../client';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Emulator + real SDK client + real Redis with a key prefix of its own. */
export interface Harness {
  emulator: BedrockEmulator;
  aws: AwsClients;
  redis: Redis;
  keyPrefix: string;
  /** A second SDK client with retries off (maxAttempts 1) for breaker tests. */
  awsNoRetry: AwsClients;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const emulator = await startBedrockEmulator({ port: 0, profile: 'zero' });
  const config = { region: 'us-east-1', endpoints: { bedrock: emulator.url }, maxSockets: 32 };
  const aws = createAwsClients(config, { bedrockMaxAttempts: 3 });
  const awsNoRetry = createAwsClients(config, { bedrockMaxAttempts: 1 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  const keyPrefix = `test:${randomUUID().slice(0, 8)}:`;
  return {
    emulator,
    aws,
    awsNoRetry,
    redis,
    keyPrefix,
    async stop() {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      aws.destroy();
      awsNoRetry.destroy();
      await emulator.stop();
    },
  };
}

export interface TestClient {
  client: FmClient;
  metrics: Registry;
  records: InferenceRecord[];
  states: string[];
}

export function makeClient(h: Harness, overrides: Partial<FmClientOptions> = {}): TestClient {
  const metrics = new Registry();
  const records: InferenceRecord[] = [];
  const states: string[] = [];
  const client = createFmClient({
    bedrock: h.aws.bedrock,
    redis: h.redis,
    cache: { keyPrefix: h.keyPrefix },
    metrics,
    onInference: (r) => records.push(r),
    onBreakerStateChange: (_model, state) => states.push(state),
    ...overrides,
  });
  return { client, metrics, records, states };
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const matches = (metric?.values ?? []).filter((v) =>
    Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  );
  return matches.reduce((sum, v) => sum + v.value, 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP proxy in front of the real Redis that can freeze: while frozen it swallows the client's
 * bytes, so Redis commands hang exactly like a stalled server (connected, never answering).
 */
export async function startFreezableRedisProxy(target = REDIS_URL) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(Number(port || 6379), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
