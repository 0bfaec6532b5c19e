/** Model read timeout for a request of `inputTokens`: min(25, 10 + inputTokens / 1000) seconds. */
export function adaptiveTimeoutSeconds(inputTokens: number): number {
  const tokens = Number.isFinite(inputTokens) && inputTokens > 0 ? inputTokens : 0;
  return Math.min(25, 10 + tokens / 1000);
}
