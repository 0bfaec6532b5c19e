import fc from 'fast-check';
import { graphemeLength, measure, truncateGraphemes } from './graphemes';
import { anyText } from './test-support/arbitraries';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segments = (s: string) => Array.from(segmenter.segment(s), (x) => x.segment);

describe('measure', () => {
  it.each([
    // text, graphemes, code points, UTF-16 units, UTF-8 bytes
    ['family emoji (ZWJ sequence)', '👨‍👩‍👧‍👦', 1, 7, 11, 25],
    ['flag (regional indicator pair)', '🇯🇵', 1, 2, 4, 8],
    ['two flags', '🇯🇵🇺🇸', 2, 4, 8, 16],
    ['skin tone', '👍🏽', 1, 2, 4, 8],
    ['keycap', '1️⃣', 1, 3, 3, 7],
    ['rainbow flag (VS16 + ZWJ)', '🏳️‍🌈', 1, 4, 6, 14],
    ['CJK extension B (surrogate pair)', '𠮷', 1, 1, 2, 4],
    ['other CJK extension B', '𠀋𡈽𪚲', 3, 3, 6, 12],
    ['half-width katakana with voiced mark', 'ｶﾞｷﾞ', 2, 4, 4, 12],
    ['combining dakuten', 'か\u3099', 1, 2, 2, 6],
    ['precomposed dakuten', 'が', 1, 1, 1, 3],
    ['Hangul syllables', '한국어', 3, 3, 3, 9],
    ['Hangul conjoining jamo', '\u1112\u1161\u11ab', 1, 3, 3, 9],
    ['CRLF is one cluster', 'a\r\nb', 3, 4, 4, 4],
    ['Devanagari conjunct', 'क्ष', 1, 3, 3, 9],
    ['seed example', '新刊マンガ🎉おすすめ!', 11, 11, 12, 32],
    ['empty', '', 0, 0, 0, 0],
  ])('%s', (_name, text, graphemes, codePoints, utf16Units, utf8Bytes) => {
    expect(measure(text)).toEqual({ graphemes, codePoints, utf16Units, utf8Bytes });
  });

  it('counts a lone surrogate as one cluster of 3 UTF-8 bytes, like Buffer.byteLength', () => {
    expect(measure('a\ud800b')).toEqual({ graphemes: 3, codePoints: 3, utf16Units: 3, utf8Bytes: 5 });
    expect(Buffer.byteLength('a\ud800b')).toBe(5);
  });

  it('agrees with Intl.Segmenter, code point iteration and Buffer.byteLength on any string', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        expect(measure(text)).toEqual({
          graphemes: segments(text).length,
          codePoints: [...text].length,
          utf16Units: text.length,
          utf8Bytes: Buffer.byteLength(text, 'utf8'),
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('orders the units: graphemes <= code points <= UTF-16 units <= UTF-8 bytes', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        const m = measure(text);
        expect(m.graphemes).toBeLessThanOrEqual(m.codePoints);
        expect(m.codePoints).toBeLessThanOrEqual(m.utf16Units);
        expect(m.utf16Units).toBeLessThanOrEqual(m.utf8Bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('graphemeLength is the graphemes of measure', () => {
    expect(graphemeLength('🎉'.repeat(2001))).toBe(2001);
  });
});

describe('truncateGraphemes', () => {
  it('keeps short text as is', () => {
    expect(truncateGraphemes('こんにちは', 200)).toBe('こんにちは');
  });

  it('never splits a cluster', () => {
    expect(truncateGraphemes('👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 2)).toBe('👨‍👩‍👧‍👦👨‍👩‍👧‍👦');
    expect(truncateGraphemes('🇯🇵🇺🇸🇫🇷', 1)).toBe('🇯🇵');
    expect(truncateGraphemes('か\u3099か\u3099', 1)).toBe('か\u3099');
    expect(truncateGraphemes('𠮷'.repeat(300), 200)).toBe('𠮷'.repeat(200));
  });

  it('returns "" for a limit of zero or less', () => {
    expect(truncateGraphemes('abc', 0)).toBe('');
    expect(truncateGraphemes('abc', -1)).toBe('');
  });

  it('returns a prefix of whole clusters, at most max of them', () => {
    fc.assert(
      fc.property(anyText(), fc.integer({ min: 0, max: 50 }), (text, max) => {
        const out = truncateGraphemes(text, max);
        const all = segments(text);
        expect(segments(out)).toEqual(all.slice(0, max));
        expect(text.startsWith(out)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
