/**
 * The model deadline for a request of `inputTokens` (seed scenario 1): min(cap, 10 s + inputTokens /
 * 1000 s), so a long call is cut before the gateway's 29 s limit and a fallback still fits. The one
 * copy of this rule: the chat gateway's request budget scales it.
 */
export function adaptiveTimeoutMs(inputTokens: number, capMs = 25_000): number {
  const tokens = Number.isFinite(inputTokens) && inputTokens > 0 ? inputTokens : 0;
  return Math.min(capMs, 10_000 + tokens);
}
