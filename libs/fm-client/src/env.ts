import { z } from 'zod';
import { env } from '@manga-assist/service-runtime';
import { MODEL_IDS, type ModelParams, type ModelPrice, type ModelRegistryOverrides } from './models';
import { parseAbSplit, type AbVariant } from './ab-split';

const jsonRecord = <T extends z.ZodType>(value: T) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), value).optional());

const priceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) });
const paramsSchema = z.object({
  maxTokens: z.number().int().min(1).optional(),
  temperature: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
});

const abSplitSchema = z
  .string()
  .default('')
  .transform((text, ctx) => {
    if (!text.trim()) return undefined;
    try {
      return parseAbSplit(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/**
 * Environment variables for fm-client, to spread into a service's config schema. Bedrock's retry
 * count is FM_MAX_ATTEMPTS: pass it as `bedrockMaxAttempts` where the Bedrock client is built (the
 * SDK's own retry loop is the only one; fm-client does not add another).
 */
export const fmEnv = {
  /** Id behind 'haiku', the default tier (a newer model or an inference profile `us.anthropic...`). */
  FM_MODEL_DEFAULT: env.string(MODEL_IDS.haiku),
  /** Id behind 'sonnet', the tier for complex requests. */
  FM_MODEL_COMPLEX: env.string(MODEL_IDS.sonnet),
  /** `{"<id or alias>": {"input": 0.25, "output": 1.25}}`, USD per 1M tokens. */
  FM_PRICES_JSON: jsonRecord(priceSchema),
  /** `{"<id or alias>": {"maxTokens": 1024, "temperature": 0.3}}`. */
  FM_MODEL_PARAMS_JSON: jsonRecord(paramsSchema),
  FM_CACHE_ENABLED: env.bool(true),
  FM_CACHE_TTL_SECONDS: env.int(300, { min: 1, max: 86_400 }),
  /** Upper bound on each Redis cache operation; beyond it the call goes on without the cache. */
  FM_CACHE_TIMEOUT_MS: env.int(50, { min: 1, max: 5_000 }),
  /** e.g. `sonnet:20,haiku:80`; empty = no split. */
  FM_AB_SPLIT: abSplitSchema,
  FM_COMPLEXITY_THRESHOLD: env.number(0.5, { min: 0, max: 1 }),
  FM_BREAKER_FAILURES: env.int(5, { min: 1, max: 1_000 }),
  FM_BREAKER_HALF_OPEN_MS: env.int(30_000, { min: 10, max: 3_600_000 }),
  /** Attempts per Bedrock call including the first (SDK retries: throttling, 5xx, network). */
  FM_MAX_ATTEMPTS: env.int(3, { min: 1, max: 10 }),
  /** Deadline for calls that do not set one. */
  FM_DEFAULT_DEADLINE_MS: env.int(25_000, { min: 100, max: 600_000 }),
};

type FmEnv = z.infer<z.ZodObject<typeof fmEnv>>;

export interface FmSettings {
  registry: ModelRegistryOverrides;
  cache: { enabled: boolean; ttlSeconds: number; timeoutMs: number };
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  abSplit: AbVariant[] | undefined;
  complexityThreshold: number;
  /** For createAwsClients(..., { bedrockMaxAttempts }). */
  maxAttempts: number;
  defaultDeadlineMs: number;
}

/** Turns the parsed env into the options createModelRegistry / createFmClient take. */
export function fmSettingsFromEnv(e: FmEnv): FmSettings {
  return {
    registry: {
      haiku: e.FM_MODEL_DEFAULT,
      sonnet: e.FM_MODEL_COMPLEX,
      prices: e.FM_PRICES_JSON as Record<string, ModelPrice> | undefined,
      params: e.FM_MODEL_PARAMS_JSON as Record<string, ModelParams> | undefined,
    },
    cache: {
      enabled: e.FM_CACHE_ENABLED,
      ttlSeconds: e.FM_CACHE_TTL_SECONDS,
      timeoutMs: e.FM_CACHE_TIMEOUT_MS,
    },
    breaker: { consecutiveFailures: e.FM_BREAKER_FAILURES, halfOpenAfterMs: e.FM_BREAKER_HALF_OPEN_MS },
    abSplit: e.FM_AB_SPLIT,
    complexityThreshold: e.FM_COMPLEXITY_THRESHOLD,
    maxAttempts: e.FM_MAX_ATTEMPTS,
    defaultDeadlineMs: e.FM_DEFAULT_DEADLINE_MS,
  };
}
