// Placeholder until @manga-assist/token-estimator lands: CJK-aware rough count.
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    tokens += cp > 0x2e7f ? 1.2 : 0.28;
  }
  return Math.ceil(tokens);
}
