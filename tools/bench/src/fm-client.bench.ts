// npm run bench -- fm-client [calls]: what fm-client costs per call over a direct SDK call, against
// the zero-latency Bedrock emulator (in this process) and the real Redis at 127.0.0.1:6379:
//   direct   BedrockRuntimeClient.send(ConverseCommand)           (baseline)
//   miss     fm-client invoke, cache miss (Redis GET miss + SET, breaker, deadline, metrics, hook)
//   hit      fm-client invoke, cache hit (Redis GET only, no model call)
// Sequential calls, each prompt unique for direct/miss. Prints per-call p50/p99 and the ratios.
import { randomUUID } from 'node:crypto';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Redis } from 'ioredis';
import { createAwsClients } from '@manga-assist/aws-clients';
import { startBedrockEmulator } from '@manga-assist/bedrock-emulator';
import { createFmClient, createModelRegistry, type FmRequest } from '@manga-assist/fm-client';
import { Registry } from '@manga-assist/service-runtime';

const calls = Number(process.argv[2] ?? process.env.BENCH_CALLS ?? 2000);
const warmup = Math.min(500, Math.ceil(calls / 4));
const SYSTEM = 'あなたは日本の漫画書店のアシスタントです。丁寧に短く答えてください。';

interface Summary {
  name: string;
  p50: number;
  p99: number;
  mean: number;
}

function summarise(name: string, samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { name, p50: at(0.5), p99: at(0.99), mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}

async function measure(name: string, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return summarise(name, samples);
}

async function main(): Promise<void> {
  const emulator = await startBedrockEmulator({ port: 0, profile: 'zero' });
  const aws = createAwsClients({ region: 'us-east-1', endpoints: { bedrock: emulator.url }, maxSockets: 16 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const keyPrefix = `bench:${randomUUID().slice(0, 8)}:`;
  const registry = createModelRegistry();
  const modelId = registry.resolve('haiku').id;
  let hooks = 0;
  const fm = createFmClient({
    bedrock: aws.bedrock,
    registry,
    redis,
    cache: { keyPrefix },
    metrics: new Registry(),
    onInference: () => hooks++,
  });
  const run = randomUUID().slice(0, 8);
  const prompt = (tag: string, i: number) => `ワンピースの${i}巻のあらすじを教えてください (${tag}-${run}-${i})`;
  const request = (content: string): FmRequest => ({ model: 'haiku', system: SYSTEM, messages: [{ role: 'user', content }] });

  try {
    await redis.ping();
    const direct = await measure('direct SDK Converse', (i) =>
      aws.bedrock.send(
        new ConverseCommand({
          modelId,
          system: [{ text: SYSTEM }],
          messages: [{ role: 'user', content: [{ text: prompt('direct', i) }] }],
          inferenceConfig: { maxTokens: 1024, temperature: 0.3 },
        }),
      ),
    );
    const miss = await measure('fm-client invoke, cache miss', (i) => fm.invoke(request(prompt('miss', i))));
    const hitRequest = request(prompt('hit', 0));
    await fm.invoke(hitRequest);
    const before = emulator.stats().requests;
    const hit = await measure('fm-client invoke, cache hit', async () => {
      const res = await fm.invoke(hitRequest);
      if (!res.cached) throw new Error('expected a cache hit');
    });
    if (emulator.stats().requests !== before) throw new Error('cache hits reached the model');

    const ms = (x: number) => `${x.toFixed(3)} ms`;
    console.log(`fm-client benchmark: ${calls} sequential calls each (+${warmup} warm-up), emulator profile zero (in-process), Redis ${redis.options.host}:${redis.options.port}`);
    console.log(`${'path'.padEnd(32)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'mean'.padStart(10)}`);
    for (const s of [direct, miss, hit]) {
      console.log(`${s.name.padEnd(32)} ${ms(s.p50).padStart(10)} ${ms(s.p99).padStart(10)} ${ms(s.mean).padStart(10)}`);
    }
    console.log(
      `cache miss overhead over direct: p50 +${ms(miss.p50 - direct.p50)} (x${(miss.p50 / direct.p50).toFixed(2)}), ` +
        `p99 +${ms(miss.p99 - direct.p99)} (x${(miss.p99 / direct.p99).toFixed(2)})`,
    );
    console.log(
      `cache hit vs direct: p50 x${(hit.p50 / direct.p50).toFixed(2)}, p99 x${(hit.p99 / direct.p99).toFixed(2)} ` +
        `(a hit is ${(direct.p50 / hit.p50).toFixed(1)}x faster than a zero-latency model call at p50)`,
    );
    console.log(`hooks fired: ${hooks}; emulator requests: ${emulator.stats().requests}`);
  } finally {
    await fm.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    aws.destroy();
    await emulator.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
