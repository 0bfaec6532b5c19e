/**
 * The emulator's own token counter. Deliberately independent of libs/token-estimator, so a test
 * comparing the two measures something. Rules (documented in the README):
 * - each Han / kana / hangul / full-width character: 1 token;
 * - each run of ASCII letters or digits: ceil(length / 4) tokens (at least 1);
 * - each other non-space character (punctuation, symbols, emoji, other scripts): 1 token;
 * - whitespace: free.
 */
const WORD = /[A-Za-z0-9]/;

export function countTokens(text: string): number {
  let tokens = 0;
  let run = 0;
  for (const ch of text) {
    if (WORD.test(ch)) {
      run += 1;
      continue;
    }
    if (run > 0) {
      tokens += Math.ceil(run / 4);
      run = 0;
    }
    if (/\s/u.test(ch)) continue;
    tokens += 1; // CJK character, punctuation, symbol or any other script
  }
  if (run > 0) tokens += Math.ceil(run / 4);
  return tokens;
}

/** Per-message framing overhead, as chat models charge for role markers. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const SYSTEM_OVERHEAD_TOKENS = 3;

export function countInputTokens(system: string, messages: { role: string; text: string }[]): number {
  let total = system ? countTokens(system) + SYSTEM_OVERHEAD_TOKENS : 0;
  for (const message of messages) total += countTokens(message.text) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

/**
 * Splits an answer into stream deltas of roughly `tokensPerDelta` tokens each; concatenating the
 * deltas gives back the text exactly.
 */
export function splitIntoDeltas(text: string, tokensPerDelta = 3): { text: string; tokens: number }[] {
  const pieces = text.match(/\s*(?:[A-Za-z0-9]+|[^\sA-Za-z0-9])/gu) ?? [];
  const deltas: { text: string; tokens: number }[] = [];
  let current = '';
  let currentTokens = 0;
  for (const piece of pieces) {
    current += piece;
    currentTokens += countTokens(piece);
    if (currentTokens >= tokensPerDelta) {
      deltas.push({ text: current, tokens: currentTokens });
      current = '';
      currentTokens = 0;
    }
  }
  const consumed = deltas.reduce((n, d) => n + d.text.length, 0) + current.length;
  current += text.slice(consumed); // trailing whitespace
  if (current) deltas.push({ text: current, tokens: currentTokens });
  return deltas;
}

/** Cuts text to at most `maxTokens` tokens (on a token boundary). */
export function truncateToTokens(text: string, maxTokens: number): { text: string; truncated: boolean } {
  if (countTokens(text) <= maxTokens) return { text, truncated: false };
  let out = '';
  let used = 0;
  for (const piece of text.match(/\s*(?:[A-Za-z0-9]+|[^\sA-Za-z0-9])/gu) ?? []) {
    const cost = countTokens(piece);
    if (used + cost > maxTokens) break;
    out += piece;
    used += cost;
  }
  return { text: out, truncated: true };
}
