import { z } from 'zod';
import { loadConfig, ConfigError } from '@manga-assist/service-runtime';
import { fmEnv, fmSettingsFromEnv } from './env';
import { createModelRegistry, MODEL_IDS } from './models';

const schema = z.object({ ...fmEnv });

describe('fmEnv', () => {
  it('defaults to the seed models, a 300 s cache and a 5-failure / 30 s breaker', () => {
    const settings = fmSettingsFromEnv(loadConfig('t', schema, {}));
    expect(settings.registry).toMatchObject({ haiku: MODEL_IDS.haiku, sonnet: MODEL_IDS.sonnet });
    expect(settings.cache).toEqual({ enabled: true, ttlSeconds: 300, timeoutMs: 50 });
    expect(settings.breaker).toEqual({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 });
    expect(settings.abSplit).toBeUndefined();
    expect(settings.maxAttempts).toBe(3);
  });

  it('reads models, prices, parameters and the A/B split from configuration', () => {
    const settings = fmSettingsFromEnv(
      loadConfig('t', schema, {
        FM_MODEL_DEFAULT: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
        FM_PRICES_JSON: '{"haiku":{"input":1,"output":5}}',
        FM_MODEL_PARAMS_JSON: '{"sonnet":{"maxTokens":4096}}',
        FM_AB_SPLIT: 'sonnet:20,haiku:80',
        FM_CACHE_TTL_SECONDS: '60',
      }),
    );
    const registry = createModelRegistry(settings.registry);
    expect(registry.resolve('haiku').id).toBe('us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(registry.costUsd('haiku', 1e6, 1e6)).toBeCloseTo(6);
    expect(registry.resolve('sonnet').maxTokens).toBe(4096);
    expect(settings.abSplit?.map((v) => v.name)).toEqual(['sonnet', 'haiku']);
    expect(settings.cache.ttlSeconds).toBe(60);
  });

  it('names every malformed variable at once', () => {
    try {
      loadConfig('t', schema, { FM_PRICES_JSON: '{oops', FM_AB_SPLIT: 'sonnet', FM_CACHE_TTL_SECONDS: '-1' });
      throw new Error('accepted a bad config');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toMatch(/FM_PRICES_JSON/);
      expect(text).toMatch(/FM_AB_SPLIT/);
      expect(text).toMatch(/FM_CACHE_TTL_SECONDS/);
    }
  });
});
