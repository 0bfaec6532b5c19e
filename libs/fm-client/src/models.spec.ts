import { MODEL_IDS, costUsd, createModelRegistry, baseModelId } from './models';
import { FmError } from './errors';

describe('model registry', () => {
  it('resolves the seed aliases to the Claude 3 ids with their defaults', () => {
    const registry = createModelRegistry();
    expect(registry.resolve('haiku')).toMatchObject({
      id: MODEL_IDS.haiku,
      maxTokens: 1024,
      temperature: 0.3,
    });
    expect(registry.resolve('sonnet')).toMatchObject({
      id: MODEL_IDS.sonnet,
      maxTokens: 2048,
      temperature: 0.5,
    });
    expect(registry.resolve(MODEL_IDS.sonnet).id).toBe(MODEL_IDS.sonnet);
  });

  it('prices per 1M tokens as in the seed (Haiku $0.25/$1.25, Sonnet $3/$15)', () => {
    expect(costUsd(MODEL_IDS.haiku, 1_000_000, 1_000_000)).toBeCloseTo(1.5, 10);
    expect(costUsd(MODEL_IDS.sonnet, 1_000_000, 0)).toBeCloseTo(3, 10);
    expect(costUsd(MODEL_IDS.sonnet, 0, 1_000_000)).toBeCloseTo(15, 10);
    expect(costUsd('haiku', 2_000, 500)).toBeCloseTo((2_000 * 0.25 + 500 * 1.25) / 1e6, 12);
  });

  it('maps configured ids (newer models, cross-region inference profiles) onto the aliases', () => {
    const registry = createModelRegistry({
      haiku: 'us.anthropic.claude-3-haiku-20240307-v1:0',
      sonnet: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
    });
    expect(registry.resolve('haiku')).toMatchObject({
      id: 'us.anthropic.claude-3-haiku-20240307-v1:0',
      maxTokens: 1024,
    });
    expect(registry.costUsd('haiku', 1e6, 0)).toBeCloseTo(0.25);
    expect(registry.resolve('sonnet').price).toEqual({ input: 3, output: 15 });
    expect(baseModelId('eu.anthropic.claude-3-haiku-20240307-v1:0')).toBe(MODEL_IDS.haiku);
  });

  it('lets configuration override prices and generation defaults by alias or id', () => {
    const registry = createModelRegistry({
      prices: { haiku: { input: 0.3, output: 1.5 } },
      params: { [MODEL_IDS.sonnet]: { maxTokens: 4096, temperature: 0.2, topP: 0.9 } },
    });
    expect(registry.costUsd('haiku', 1e6, 1e6)).toBeCloseTo(1.8);
    expect(registry.resolve('sonnet')).toMatchObject({ maxTokens: 4096, temperature: 0.2, topP: 0.9 });
  });

  it('accepts an unknown model only with a configured price, and refuses it otherwise', () => {
    expect(() => createModelRegistry({ sonnet: 'meta.llama3-70b-instruct-v1:0' })).toThrow(FmError);
    const registry = createModelRegistry({
      aliases: { llama: 'meta.llama3-70b-instruct-v1:0' },
      prices: { llama: { input: 2.65, output: 3.5 } },
    });
    expect(registry.costUsd('llama', 1e6, 1e6)).toBeCloseTo(6.15);
    try {
      registry.resolve('mystery.model-v1');
      throw new Error('resolved an unpriced model');
    } catch (err) {
      expect(err).toBeInstanceOf(FmError);
      expect((err as FmError).code).toBe('INVALID_REQUEST');
    }
  });
});
