// npm run bench -- fm-client [calls]: what fm-client costs per call over a direct SDK call, against
// the zero-latency Bedrock emulator (in this process) and the real Redis at 127.0.0.1:6379:
//   direct   BedrockRuntimeClient.send(ConverseCommand)           (baseline)
//   miss     fm-client invoke, cache miss (Redis GET miss + SET, breaker, deadline, metrics, hook)
//   hit      fm-client invoke, cache hit (Redis GET only, no model call)
// Sequential calls, each prompt unique for direct/miss. Prints per-call p50/p99 and the ratios.
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
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
  /** Process CPU (user + system) per call in µs: emulator included (in-process), so compare differences. */
  cpuUs?: number;
}

function summarise(name: string, samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { name, p50: at(0.5), p99: at(0.99), mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}

async function measure(name: string, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  const used = process.cpuUsage(cpu);
  return { ...summarise(name, samples), cpuUs: (used.user + used.system) / calls };
}

/** Open loop: starts a call every 1000/rate ms for `count` calls, whatever the previous ones do. */
async function paced(
  name: string,
  rate: number,
  count: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Summary> {
  const samples: number[] = [];
  const inflight: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const start = performance.now();
    inflight.push(fn(i).then(() => samples.push(performance.now() - start)));
  }
  await Promise.all(inflight);
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
  const prompt = (tag: string, i: number) =>
    `ワンピースの${i}巻のあらすじを教えてください (${tag}-${run}-${i})`;
  const request = (content: string): FmRequest => ({
    model: 'haiku',
    system: SYSTEM,
    messages: [{ role: 'user', content }],
  });

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
    const sms = (x: number) => `${x >= 0 ? '+' : ''}${ms(x)}`; // signed: p99 differences are often noise
    console.log(
      `fm-client benchmark: ${calls} sequential calls each (+${warmup} warm-up), emulator profile zero (in-process), Redis ${redis.options.host}:${redis.options.port}`,
    );
    console.log(
      `machine load average (1 min): ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`,
    );
    console.log(
      `${'path'.padEnd(32)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'mean'.padStart(10)} ${'CPU/call'.padStart(10)}`,
    );
    for (const s of [direct, miss, hit]) {
      console.log(
        `${s.name.padEnd(32)} ${ms(s.p50).padStart(10)} ${ms(s.p99).padStart(10)} ${ms(s.mean).padStart(10)} ${`${Math.round(s.cpuUs ?? 0)} µs`.padStart(10)}`,
      );
    }
    console.log(
      `CPU per call, process incl. in-process emulator: fm-client miss ${sms(((miss.cpuUs ?? 0) - (direct.cpuUs ?? 0)) / 1000)} over direct ` +
        `(x${((miss.cpuUs ?? 0) / (direct.cpuUs ?? 1)).toFixed(2)}); hit ${Math.round(hit.cpuUs ?? 0)} µs`,
    );
    console.log(
      `cache miss overhead over direct: p50 ${sms(miss.p50 - direct.p50)} (x${(miss.p50 / direct.p50).toFixed(2)}), ` +
        `p99 ${sms(miss.p99 - direct.p99)} (x${(miss.p99 / direct.p99).toFixed(2)})`,
    );
    console.log(
      `cache hit vs direct: p50 x${(hit.p50 / direct.p50).toFixed(2)}, p99 x${(hit.p99 / direct.p99).toFixed(2)} ` +
        `(a hit is ${(direct.p50 / hit.p50).toFixed(1)}x faster than a zero-latency model call at p50)`,
    );

    // docs/architecture.md#performance asks for the gateway's overhead at 200 req/s; this is the fm-client share of it.
    const rate = 200;
    const count = Math.min(calls, 2000);
    const pacedDirect = await paced(`direct SDK @${rate}/s`, rate, count, (i) =>
      aws.bedrock.send(
        new ConverseCommand({
          modelId,
          system: [{ text: SYSTEM }],
          messages: [{ role: 'user', content: [{ text: prompt('pdirect', i) }] }],
          inferenceConfig: { maxTokens: 1024, temperature: 0.3 },
        }),
      ),
    );
    const pacedMiss = await paced(`fm-client miss @${rate}/s`, rate, count, (i) =>
      fm.invoke(request(prompt('pmiss', i))),
    );
    for (const s of [pacedDirect, pacedMiss]) {
      console.log(
        `${s.name.padEnd(32)} ${ms(s.p50).padStart(10)} ${ms(s.p99).padStart(10)} ${ms(s.mean).padStart(10)}`,
      );
    }
    console.log(
      `open loop ${rate} req/s, ${count} calls: fm-client miss overhead p50 ${sms(pacedMiss.p50 - pacedDirect.p50)}, ` +
        `p99 ${sms(pacedMiss.p99 - pacedDirect.p99)} (x${(pacedMiss.p99 / pacedDirect.p99).toFixed(2)})`,
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
