import fc from 'fast-check';

/** Pieces that stress grapheme rules: ZWJ sequences, flags, skin tones, keycaps, jamo, marks. */
export const TRICKY_PIECES = [
  'a',
  'Z',
  ' ',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\u0000',
  '\u0085',
  'あ',
  'ア',
  'ｶ',
  'ﾞ',
  'ﾟ',
  '漢',
  '𠮷',
  'か\u3099',
  '\u3099',
  '\u309a',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇯🇵',
  '🇯',
  '🇺🇸🇯',
  '👍🏽',
  '🏽',
  '1️⃣',
  '#️⃣',
  '\u20e3',
  '\u200d',
  '\ufe0f',
  '\u0301',
  '\u0308',
  '가',
  '각',
  '\u1100',
  '\u1161',
  '\u11a8',
  '\ud55c',
  'क',
  '\u094d',
  'ष',
  '\u0e33',
  '\u0600',
  '©',
  '🎉',
  '😀',
  '\u00ad',
  '\u200b',
  '\u3000',
  'Ａ',
  '１',
  '\ud800',
  '\udc00',
  '\udbff',
  'é',
  'e\u0301',
  '〰',
  '㊙',
  '\u302a',
];

/** Strings built from tricky pieces: many boundaries where the fast path meets the segmenter. */
export const trickyString = () =>
  fc.array(fc.constantFrom(...TRICKY_PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

/** Any sequence of UTF-16 code units, lone surrogates included. */
export const codeUnitString = () =>
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 })
    .map((units) => String.fromCharCode(...units));

/** The generators the property tests run over. */
export const anyText = () =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    trickyString(),
    codeUnitString(),
  );
