import fc from 'fast-check';
import { estimateTokens, TOKEN_RATIOS as R } from './estimate';

/** The seed's estimator (scenario 1), to show what it gets wrong. */
const seedEstimate = (text: string) => {
  const jp = (text.match(/[\u3000-\u9fff]/g) ?? []).length;
  return Math.floor(jp * 1.5 + (text.length - jp) * 0.3);
};

describe('estimateTokens per character class', () => {
  it.each([
    ['kanji', '漢字読書', 4 * R.kanji],
    ['hiragana', 'こんにちは', 5 * R.hiragana],
    ['katakana', 'マンガ', 3 * R.katakana],
    ['half-width katakana', 'ﾏﾝｶﾞ', 4 * R.halfwidthKatakana],
    ['full-width forms', 'ＡＢ１！', 4 * R.fullwidthForm],
    ['CJK punctuation', '「」、。', 4 * R.cjkPunctuation],
    ['CJK extension B', '𠮷𠀋', 2 * R.cjkExtension],
    ['compatibility ideograph', '\uf929', R.compatibilityIdeograph],
    ['emoji', '🎉😀', 2 * R.emoji],
    ['skin tone', '👍🏽', 2 * R.emoji],
    ['flag', '🇯🇵', 2 * R.regionalIndicator],
    ['family (ZWJ sequence)', '👨‍👩‍👧‍👦', 4 * R.emoji + 3 * R.zeroWidthJoiner],
    ['keycap', '1️⃣', R.digit + 2 * R.emojiComponent],
    ['Hangul', '한국', 2 * R.hangul],
    ['one Latin word', 'manga', R.latinWordStart + 4 * R.latinWordContinue],
    ['Latin words and spaces', 'read this', 2 * R.latinWordStart + 6 * R.latinWordContinue + R.space],
    ['accented word', 'café', R.latinWordStart + 3 * R.latinWordContinue],
    ['digits', '2024', 4 * R.digit],
    ['ASCII punctuation', '?!', 2 * R.asciiPunctuation],
    ['whitespace', ' \n\t\u3000', R.space + R.newline + R.tab + R.ideographicSpace],
    ['combining dakuten', 'か\u3099', R.hiragana + R.combiningMark],
  ])('%s', (_name, text, expected) => {
    expect(estimateTokens(text)).toBe(Math.ceil(expected - 1e-9));
  });

  it('is 0 for empty text', () => {
    expect(estimateTokens('')).toBe(0);
  });
});

describe("the seed regex's blind spots are counted", () => {
  // Reference: token counts from Claude's public tokenizer (@anthropic-ai/tokenizer 0.0.4),
  // measured once (see README). The seed's [\u3000-\u9fff] regex charges these 0.3 per UTF-16 unit.
  it.each([
    ['half-width katakana', 'ｵｽｽﾒﾉﾏﾝｶﾞ'.repeat(10), 100],
    ['CJK extension B (surrogate pairs)', '𠮷'.repeat(50), 150],
    ['emoji', '🎉'.repeat(50), 150],
    ['family emoji (ZWJ sequences)', '👨‍👩‍👧‍👦'.repeat(20), 280],
    ['flags', '🇯🇵'.repeat(20), 120],
    ['skin tones', '👍🏽'.repeat(20), 100],
  ])('%s: within 40%% of the reference, where the seed is under half of it', (_n, text, reference) => {
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(0.6 * reference);
    expect(estimateTokens(text)).toBeLessThanOrEqual(1.4 * reference);
    expect(seedEstimate(text)).toBeLessThan(0.5 * reference);
  });

  it('counts a surrogate pair once, not as two halves', () => {
    expect(estimateTokens('𠮷')).toBe(Math.ceil(R.cjkExtension));
  });
});

describe('estimateTokens properties', () => {
  const text = () =>
    fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

  it('is a non-negative integer, 0 only for empty text, and never throws', () => {
    fc.assert(
      fc.property(text(), (t) => {
        const n = estimateTokens(t);
        expect(Number.isInteger(n)).toBe(true);
        expect(n >= 0).toBe(true);
        if (t.length > 0) expect(n).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('grows with concatenation: est(a + b) <= est(a) + est(b) + 1', () => {
    fc.assert(
      fc.property(text(), text(), (a, b) => {
        expect(estimateTokens(a + b)).toBeLessThanOrEqual(estimateTokens(a) + estimateTokens(b) + 1);
        expect(estimateTokens(a + b)).toBeGreaterThanOrEqual(
          Math.max(estimateTokens(a), estimateTokens(b)) - 1,
        );
      }),
      { numRuns: 1000 },
    );
  });
});
