import { FmError } from './errors';

/** The seeds' model ids (Claude 3 on Bedrock, on-demand). */
export const MODEL_IDS = {
  haiku: 'anthropic.claude-3-haiku-20240307-v1:0',
  sonnet: 'anthropic.claude-3-sonnet-20240229-v1:0',
} as const;

export interface ModelPrice {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
}

export interface ModelSpec {
  /** The id sent to Bedrock (model id, inference profile id or ARN). */
  id: string;
  maxTokens: number;
  temperature: number;
  topP?: number;
  price: ModelPrice;
}

export interface ModelParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
}

export interface ModelRegistryOverrides {
  /** Id behind the alias 'haiku' (the default tier), e.g. a newer model or `us.` inference profile. */
  haiku?: string;
  /** Id behind the alias 'sonnet' (the complex tier). */
  sonnet?: string;
  /** Prices per 1M tokens by id or alias; they win over the built-in list. */
  prices?: Record<string, ModelPrice>;
  /** Generation defaults by id or alias. */
  params?: Record<string, ModelParams>;
  /** More aliases: name -> id (e.g. { summary: 'anthropic.claude-3-haiku-...' }). */
  aliases?: Record<string, string>;
}

export interface ModelRegistry {
  /** Alias or id -> the model's spec. Throws FmError INVALID_REQUEST for a model without a known price. */
  resolve(modelOrAlias: string): ModelSpec;
  /** USD for one inference. */
  costUsd(modelOrAlias: string, inputTokens: number, outputTokens: number): number;
  /** Alias -> id. */
  aliases(): Record<string, string>;
}

/**
 * List prices (USD per 1M tokens, on-demand, Nov 2026) by model family. Matched on the id with any
 * cross-region prefix (`us.`, `eu.`, `apac.`, `global.`) and version suffix ignored. Configuration
 * (FM_PRICES_JSON) overrides them; an id matching none of them needs a configured price.
 */
const FAMILY_PRICES: { pattern: RegExp; price: ModelPrice; params: Required<Omit<ModelParams, 'topP'>> }[] = [
  {
    pattern: /^anthropic\.claude-3-haiku-/,
    price: { input: 0.25, output: 1.25 },
    params: { maxTokens: 1024, temperature: 0.3 },
  },
  {
    pattern: /^anthropic\.claude-3-sonnet-/,
    price: { input: 3, output: 15 },
    params: { maxTokens: 2048, temperature: 0.5 },
  },
  {
    pattern: /^anthropic\.claude-3-5-haiku-/,
    price: { input: 0.8, output: 4 },
    params: { maxTokens: 1024, temperature: 0.3 },
  },
  {
    pattern: /^anthropic\.claude-haiku-4-5-/,
    price: { input: 1, output: 5 },
    params: { maxTokens: 1024, temperature: 0.3 },
  },
  {
    pattern: /^anthropic\.claude-3-[57]-sonnet-/,
    price: { input: 3, output: 15 },
    params: { maxTokens: 2048, temperature: 0.5 },
  },
  {
    pattern: /^anthropic\.claude-sonnet-4/,
    price: { input: 3, output: 15 },
    params: { maxTokens: 2048, temperature: 0.5 },
  },
];

const REGION_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

/** The model id without a cross-region inference profile prefix (`us.anthropic...` -> `anthropic...`). */
export function baseModelId(id: string): string {
  return id.replace(REGION_PREFIX, '');
}

function familyOf(id: string) {
  const base = baseModelId(id);
  return FAMILY_PRICES.find((f) => f.pattern.test(base));
}

/**
 * Aliases ('haiku', 'sonnet', plus configured ones) and ids resolve to a spec: generation defaults
 * and prices. Unknown ids are accepted when their family is priced or configuration gives a price,
 * so newer models and inference profiles work by configuration alone; a model with no price is
 * refused rather than silently costed at zero.
 */
export function createModelRegistry(overrides: ModelRegistryOverrides = {}): ModelRegistry {
  const aliasMap: Record<string, string> = {
    haiku: overrides.haiku ?? MODEL_IDS.haiku,
    sonnet: overrides.sonnet ?? MODEL_IDS.sonnet,
    ...overrides.aliases,
  };
  const idOf = (modelOrAlias: string) => aliasMap[modelOrAlias] ?? modelOrAlias;
  const byId = <T>(table: Record<string, T> | undefined): Map<string, T> => {
    const map = new Map<string, T>();
    for (const [key, value] of Object.entries(table ?? {})) map.set(idOf(key), value);
    return map;
  };
  const prices = byId(overrides.prices);
  const params = byId(overrides.params);
  const cache = new Map<string, ModelSpec>();

  // Fail at start-up, not on the first request, when a configured model has no price.
  for (const id of Object.values(aliasMap)) resolveId(id);

  function resolveId(id: string): ModelSpec {
    const known = cache.get(id);
    if (known) return known;
    if (!id || /\s/.test(id)) throw invalid(`invalid model id ${JSON.stringify(id)}`, id);
    const family = familyOf(id);
    const price = prices.get(id) ?? prices.get(baseModelId(id)) ?? family?.price;
    if (!price) {
      throw invalid(`no price known for model ${id}: set it in FM_PRICES_JSON`, id);
    }
    const configured = params.get(id) ?? params.get(baseModelId(id)) ?? {};
    const spec: ModelSpec = {
      id,
      maxTokens: configured.maxTokens ?? family?.params.maxTokens ?? 1024,
      temperature: configured.temperature ?? family?.params.temperature ?? 0.3,
      ...(configured.topP !== undefined ? { topP: configured.topP } : {}),
      price,
    };
    cache.set(id, spec);
    return spec;
  }

  return {
    resolve: (modelOrAlias) => resolveId(idOf(modelOrAlias)),
    costUsd(modelOrAlias, inputTokens, outputTokens) {
      return priceOf(resolveId(idOf(modelOrAlias)).price, inputTokens, outputTokens);
    },
    aliases: () => ({ ...aliasMap }),
  };
}

function invalid(message: string, modelId: string) {
  return new FmError('INVALID_REQUEST', message, { modelId });
}

export function priceOf(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}

const defaultRegistry = createModelRegistry();

/** Cost in USD with the built-in prices (a service with configured prices uses registry.costUsd). */
export function costUsd(modelId: string, inputTokens: number, outputTokens: number): number {
  return defaultRegistry.costUsd(modelId, inputTokens, outputTokens);
}
