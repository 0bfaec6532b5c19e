/**
 * Tokens per code point, by character class. Measured on Claude's public tokenizer
 * (@anthropic-ai/tokenizer 0.0.4, the closest public proxy for Claude 3) and rounded up where
 * Claude 3 may differ (the proxy NFKC-folds full-/half-width forms), because an underestimate
 * overruns the context budget and the deadline, an overestimate only drops a turn early.
 * createCalibrator() corrects the overall level from real usage. See README for the figures.
 */
export const TOKEN_RATIOS = {
  /** First letter of a Latin word (a common word is one token)... */
  latinWordStart: 1,
  /** ...and each further letter (long or rare words split into pieces). */
  latinWordContinue: 0.1,
  digit: 0.4,
  asciiPunctuation: 0.7,
  /** A space mostly merges into the next word's token. */
  space: 0.1,
  tab: 0.3,
  newline: 0.5,
  ideographicSpace: 0.5,
  /** 、。「」『』〜 and the other CJK symbols (U+3000-U+303F). */
  cjkPunctuation: 1.2,
  hiragana: 1,
  katakana: 1.2,
  /** ｶﾀｶﾅ: rare in training text; byte-level pieces unless the tokenizer folds them. */
  halfwidthKatakana: 1.5,
  /** Ａ１！ full-width ASCII and signs. */
  fullwidthForm: 1,
  /** Unified ideographs and extension A: common ones are one token, rarer ones two or three. */
  kanji: 1.5,
  compatibilityIdeograph: 2,
  /** 𠮷 and extensions B-J (surrogate pairs): 4 UTF-8 bytes, split into byte tokens. */
  cjkExtension: 3,
  hangul: 1.2,
  /** Pictographs and skin-tone modifiers: 4 UTF-8 bytes each, rarely merged. */
  emoji: 2.5,
  /** 🇯🇵 is two of these. */
  regionalIndicator: 3,
  zeroWidthJoiner: 1.5,
  /** U+FE0F and the keycap mark U+20E3. */
  emojiComponent: 2,
  combiningMark: 1,
  /** Other characters by UTF-8 length: 2 bytes (Greek, Cyrillic, ...), 3 bytes, 4 bytes. */
  other2Byte: 0.7,
  other3Byte: 1.5,
  otherAstral: 3,
  control: 1,
} as const;

const R = TOKEN_RATIOS;

function isLatinLetter(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
  );
}

function bmpCost(c: number): number {
  if (c >= 0x3040 && c <= 0x309f) return c === 0x3099 || c === 0x309a ? R.combiningMark : R.hiragana;
  if (c >= 0x30a0 && c <= 0x30ff) return R.katakana;
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) return R.kanji;
  if (c >= 0x3000 && c <= 0x303f) return c === 0x3000 ? R.ideographicSpace : R.cjkPunctuation;
  if (c >= 0xff01 && c <= 0xff60) return R.fullwidthForm;
  if (c >= 0xff61 && c <= 0xff9f) return R.halfwidthKatakana;
  if (c >= 0xffe0 && c <= 0xffee) return R.fullwidthForm;
  if (c >= 0xac00 && c <= 0xd7a3) return R.hangul;
  if (c >= 0xf900 && c <= 0xfaff) return R.compatibilityIdeograph;
  if (c === 0x200d) return R.zeroWidthJoiner;
  if (c === 0xfe0f || c === 0x20e3) return R.emojiComponent;
  if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f)) {
    return R.combiningMark;
  }
  if (c >= 0x80 && c <= 0x9f) return R.control;
  if (c === 0x2028 || c === 0x2029) return R.newline;
  if (c >= 0x2600 && c <= 0x27bf) return R.emoji; // ☀ ✨ ❤ dingbats used as emoji
  if (c >= 0xd800 && c <= 0xdfff) return R.other3Byte; // lone surrogate
  return c < 0x800 ? R.other2Byte : R.other3Byte;
}

function astralCost(cp: number): number {
  if (cp >= 0x20000 && cp <= 0x3ffff) return R.cjkExtension;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return R.regionalIndicator;
  if (cp >= 0x1f000 && cp <= 0x1faff) return R.emoji; // incl. skin tones U+1F3FB-U+1F3FF
  return R.otherAstral;
}

/**
 * Estimated Claude input tokens for a text: one pass over the code points, per-class ratios
 * (TOKEN_RATIOS), rounded up. Emoji sequences cost the sum of their parts
 * (👨‍👩‍👧‍👦 = 4 x 2.5 + 3 x 1.5 = 14.5).
 */
export function estimateTokens(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  let total = 0;
  let inWord = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
        total += inWord ? R.latinWordContinue : R.latinWordStart;
        inWord = true;
        continue;
      }
      inWord = false;
      if (c >= 0x30 && c <= 0x39) total += R.digit;
      else if (c === 0x20) total += R.space;
      else if (c === 0x0a || c === 0x0d) total += R.newline;
      else if (c === 0x09) total += R.tab;
      else if (c < 0x20 || c === 0x7f) total += R.control;
      else total += R.asciiPunctuation;
      continue;
    }
    if (isLatinLetter(c)) {
      total += inWord ? R.latinWordContinue : R.latinWordStart;
      inWord = true;
      continue;
    }
    inWord = false;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        total += astralCost(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    total += bmpCost(c);
  }
  // Sums of fractions carry float noise (0.1 x 30 = 3.0000000000000004): round it off first.
  return Math.ceil(total - 1e-9);
}
