export type ModelFamily = 'haiku' | 'sonnet' | 'opus' | 'other';
export type ProfileName = 'zero' | 'realistic' | 'demo';
export const PROFILES: readonly ProfileName[] = ['zero', 'realistic', 'demo'];

/** Latency model of one family: TTFT = ttftBaseMs + ttftPerInputTokenMs * inputTokens; then perOutputTokenMs. */
export interface LatencyModel {
  ttftBaseMs: number;
  ttftPerInputTokenMs: number;
  perOutputTokenMs: number;
}

const ZERO: LatencyModel = { ttftBaseMs: 0, ttftPerInputTokenMs: 0, perOutputTokenMs: 0 };

/**
 * `realistic` reproduces the seeds: Haiku answers an enrichment prompt (~100 input, ~120-150 output
 * tokens) in ~1.7-2 s (scenario 2); Sonnet with 8,000 input tokens spends 25 s before its first
 * token and 25-30 s in all (scenario 1: long contexts, not long answers, blow the 29 s budget).
 * `demo` is short and even, so a person can watch answers stream in the local stack.
 */
export const LATENCY_PROFILES: Record<ProfileName, Record<ModelFamily, LatencyModel>> = {
  zero: { haiku: ZERO, sonnet: ZERO, opus: ZERO, other: ZERO },
  realistic: {
    haiku: { ttftBaseMs: 500, ttftPerInputTokenMs: 0.1, perOutputTokenMs: 10 },
    sonnet: { ttftBaseMs: 1000, ttftPerInputTokenMs: 3, perOutputTokenMs: 20 },
    opus: { ttftBaseMs: 1500, ttftPerInputTokenMs: 4, perOutputTokenMs: 35 },
    other: { ttftBaseMs: 500, ttftPerInputTokenMs: 0.5, perOutputTokenMs: 15 },
  },
  demo: {
    haiku: { ttftBaseMs: 250, ttftPerInputTokenMs: 0.02, perOutputTokenMs: 25 },
    sonnet: { ttftBaseMs: 500, ttftPerInputTokenMs: 0.05, perOutputTokenMs: 40 },
    opus: { ttftBaseMs: 700, ttftPerInputTokenMs: 0.08, perOutputTokenMs: 50 },
    other: { ttftBaseMs: 300, ttftPerInputTokenMs: 0.03, perOutputTokenMs: 30 },
  },
};

/** Recognises the family by substring, so `us.anthropic.claude-3-haiku-...` and ARNs work too. */
export function modelFamily(modelId: string): ModelFamily {
  const id = modelId.toLowerCase();
  if (id.includes('haiku')) return 'haiku';
  if (id.includes('sonnet')) return 'sonnet';
  if (id.includes('opus')) return 'opus';
  return 'other';
}

export interface PlannedLatency {
  /** Unscaled milliseconds, as the modelled service would take them. */
  ttftMs: number;
  perOutputTokenMs: number;
  totalMs: number;
}

export function planLatency(
  model: LatencyModel,
  inputTokens: number,
  outputTokens: number,
  extraMs = 0,
): PlannedLatency {
  const ttftMs = model.ttftBaseMs + model.ttftPerInputTokenMs * inputTokens + extraMs;
  return {
    ttftMs,
    perOutputTokenMs: model.perOutputTokenMs,
    totalMs: ttftMs + model.perOutputTokenMs * outputTokens,
  };
}
