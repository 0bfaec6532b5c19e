import { z } from 'zod';
import { Redis } from 'ioredis';
import { loadConfig, Registry } from '@manga-assist/service-runtime';
import { awsEnv, awsClientConfigFromEnv, createAwsClients } from '@manga-assist/aws-clients';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import {
  createFmClient,
  createModelRegistry,
  createAbSplit,
  fmEnv,
  fmSettingsFromEnv,
  selectModelForComplexity,
} from './index';

// The way a service wires fm-client: env -> config -> SDK client with the configured attempts ->
// client; here against the local stack's Bedrock emulator and its Redis prefix.
describe('fm-client wired from the environment against the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: true, eventbridge: false, redis: 'required' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('routes by complexity and A/B split, reports the variant, caches under the stack prefix', async () => {
    const config = loadConfig('fm-test', z.object({ ...awsEnv, ...fmEnv }), {
      ...stack.env,
      FM_MODEL_COMPLEX: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      FM_AB_SPLIT: 'sonnet:20,haiku:80',
    });
    const settings = fmSettingsFromEnv(config);
    const aws = createAwsClients(awsClientConfigFromEnv(config), {
      bedrockMaxAttempts: settings.maxAttempts,
    });
    const redis = new Redis(stack.redisUrl as string);
    const metrics = new Registry();
    const fm = createFmClient({
      bedrock: aws.bedrock,
      registry: createModelRegistry(settings.registry),
      redis,
      cache: { ...settings.cache, keyPrefix: stack.redisKeyPrefix },
      breaker: settings.breaker,
      metrics,
    });
    try {
      // A Redis still connecting is skipped (never waited for); a service starts serving once it is ready.
      await redis.ping();
      const split = createAbSplit(settings.abSplit ?? []);
      const seen = new Map<string, string>();
      for (let i = 0; seen.size < 2 && i < 200; i++) {
        const v = split.assign(`session-${i}`);
        if (!seen.has(v.name)) seen.set(v.name, `session-${i}`);
      }
      for (const [name, sessionId] of seen) {
        const variant = split.assign(sessionId);
        const res = await fm.invoke(
          { model: variant.model, messages: [{ role: 'user', content: `${name}: 鬼滅の刃の巻数は？` }] },
          { sessionId, variant: variant.name },
        );
        expect(res.variant).toBe(name);
        expect(res.modelId).toBe(
          name === 'sonnet' ? 'us.anthropic.claude-3-5-sonnet-20241022-v2:0' : config.FM_MODEL_DEFAULT,
        );
      }
      const complex = 'ワンピースとナルトの違いを比較して、なぜ人気なのか分析してください';
      const res = await fm.invoke({
        model: selectModelForComplexity(complex),
        messages: [{ role: 'user', content: complex }],
      });
      expect(res.modelId).toBe('us.anthropic.claude-3-5-sonnet-20241022-v2:0');
      await fm.close();
      expect((await redis.keys(`${stack.redisKeyPrefix}fm:answer:*`)).length).toBe(3);
      const perVariant = (await metrics.getSingleMetric('fm_calls_total')?.get())?.values.map(
        (v) => v.labels.variant,
      );
      expect(perVariant).toEqual(expect.arrayContaining(['sonnet', 'haiku', 'none']));
    } finally {
      const keys = await redis.keys(`${stack.redisKeyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      aws.destroy();
    }
  });

  it("fails a typo in FM_MODEL_DEFAULT locally with Bedrock's own error, as AWS would", async () => {
    // Priced (the family matches) so fm-client sends it; the emulator then checks it as Bedrock does.
    const typo = 'anthropic.claude-3-haiku-20240307-v1'; // ':0' forgotten
    const config = loadConfig('fm-test', z.object({ ...awsEnv, ...fmEnv }), {
      ...stack.env,
      FM_MODEL_DEFAULT: typo,
    });
    const settings = fmSettingsFromEnv(config);
    const aws = createAwsClients(awsClientConfigFromEnv(config), {
      bedrockMaxAttempts: settings.maxAttempts,
    });
    const fm = createFmClient({
      bedrock: aws.bedrock,
      registry: createModelRegistry(settings.registry),
      breaker: settings.breaker,
    });
    try {
      const before = stack.bedrock?.stats().requests ?? 0;
      const error = await fm
        .invoke({ model: 'haiku', messages: [{ role: 'user', content: 'こんにちは' }] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INVALID_REQUEST',
        retryable: false,
        awsCode: 'ValidationException',
        modelId: typo,
        message: expect.stringContaining('The provided model identifier is invalid.'),
      });
      // The emulator answered it (the check is Bedrock's, not fm-client's).
      expect(stack.bedrock?.stats().requests).toBe(before + 1);
      const fixed = await fm.invoke({
        model: 'anthropic.claude-3-haiku-20240307-v1:0',
        messages: [{ role: 'user', content: 'こんにちは' }],
      });
      expect(fixed.text.length).toBeGreaterThan(0);
    } finally {
      await fm.close();
      aws.destroy();
    }
  });
});
