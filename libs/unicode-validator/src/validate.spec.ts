import fc from 'fast-check';
import { measure } from './graphemes';
import { localize, validateChatMessage, type ValidationResult } from './validate';
import { anyText } from './test-support/arbitraries';

const codeOf = (r: ValidationResult) => (r.ok ? 'OK' : r.error.code);

describe('validateChatMessage: the seed scenario 3 cases, corrected', () => {
  it.each([
    ['basic hiragana', 'こんにちは', 'OK'],
    ['with emoji', '新刊マンガ🎉おすすめ!', 'OK'],
    ['supplementary kanji', '𠮷田さんのマンガ', 'OK'],
    ['4,001 ASCII', 'A'.repeat(4001), 'TOO_LONG'],
    ['exactly 4,000 hiragana', 'あ'.repeat(4000), 'OK'],
    // The seed expected "invalid": 2,001 graphemes are within the 4,000 limit.
    ['2,001 party poppers', '🎉'.repeat(2001), 'OK'],
  ])('%s -> %s', (_name, text, expected) => {
    expect(codeOf(validateChatMessage(text))).toBe(expected);
  });

  it('counts 2,001 emoji as 2,001 characters although they are 4,002 UTF-16 units', () => {
    const r = validateChatMessage('🎉'.repeat(2001));
    expect(r).toMatchObject({
      ok: true,
      metrics: { graphemes: 2001, codePoints: 2001, utf16Units: 4002, utf8Bytes: 8004 },
    });
  });
});

describe('validateChatMessage: length in grapheme clusters', () => {
  it.each([
    ['family emoji', '👨‍👩‍👧‍👦'],
    ['flag', '🇯🇵'],
    ['skin tone', '👍🏽'],
    ['keycap', '1️⃣'],
    ['CJK extension B', '𠮷'],
    ['half-width katakana', 'ｶﾞ'],
    ['combining dakuten', 'か\u3099'],
    ['Hangul', '한'],
    ['ASCII', 'a'],
  ])('%s: exactly 4,000 is valid, 4,001 is TOO_LONG', (_name, unit) => {
    expect(codeOf(validateChatMessage(unit.repeat(4000), { maxUtf8Bytes: 1e6 }))).toBe('OK');
    const r = validateChatMessage(unit.repeat(4001), { maxUtf8Bytes: 1e6 });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'TOO_LONG', details: { graphemes: 4001, maxGraphemes: 4000 } },
    });
  });

  it('says it in Japanese and English', () => {
    const r = validateChatMessage('あ'.repeat(4001));
    if (r.ok) throw new Error('expected a failure');
    expect(r.error.message.ja).toBe('メッセージが長すぎます (最大4000文字)');
    expect(localize(r.error, 'ja')).toBe('メッセージが長すぎます (最大4000文字)');
    expect(localize(r.error, 'en')).toBe('The message is too long (max 4000 characters).');
  });

  it('takes the limit from the options, and the message follows it', () => {
    const r = validateChatMessage('あいう', { maxGraphemes: 2 });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'TOO_LONG', message: { ja: 'メッセージが長すぎます (最大2文字)' } },
    });
  });

  it('answers a huge input with bounded work and the length error', () => {
    const r = validateChatMessage('あ'.repeat(500_000));
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'TOO_LONG', details: { graphemesIsLowerBound: true } },
    });
    const zalgo = `a${'\u0301'.repeat(200_000)}`; // one cluster, 400 KB
    expect(validateChatMessage(zalgo)).toMatchObject({ ok: false, error: { code: 'TOO_MANY_BYTES' } });
  });
});

describe('validateChatMessage: byte cap', () => {
  it('accepts 4,000 party poppers (16,000 bytes) and rejects 4,000 family emoji (100,000 bytes)', () => {
    expect(codeOf(validateChatMessage('🎉'.repeat(4000)))).toBe('OK');
    const r = validateChatMessage('👨‍👩‍👧‍👦'.repeat(4000));
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_BYTES', details: { utf8Bytes: 100_000, maxUtf8Bytes: 24_000 } },
    });
  });

  it('caps at 24,000 bytes: exactly at the cap is valid, one byte more is not', () => {
    expect(codeOf(validateChatMessage('👨‍👩‍👧‍👦'.repeat(960)))).toBe('OK'); // 24,000 bytes
    expect(codeOf(validateChatMessage(`${'👨‍👩‍👧‍👦'.repeat(960)}a`))).toBe('TOO_MANY_BYTES');
  });

  it('never rejects by bytes what passes the 8,000-unit envelope with <= 4,000 graphemes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('あ', '漢', '𠮷', '🎉', '🇯🇵', '👍🏽', '👨‍👩‍👧‍👦', 'ｶﾞ', 'a'), { maxLength: 4000 }),
        (parts) => {
          const text = parts.join('');
          if (text.length > 8000) return;
          expect(codeOf(validateChatMessage(text))).not.toBe('TOO_MANY_BYTES');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uses a custom cap', () => {
    expect(validateChatMessage('あい', { maxUtf8Bytes: 5 })).toMatchObject({
      ok: false,
      error: {
        code: 'TOO_MANY_BYTES',
        message: { ja: 'メッセージのデータサイズが大きすぎます (最大5バイト)' },
      },
    });
  });
});

describe('validateChatMessage: invalid content', () => {
  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['ideographic spaces and newlines', '\u3000\u3000\n\t'],
    ['zero-width space only', '\u200b\u200b'],
  ])('%s is EMPTY', (_name, text) => {
    expect(validateChatMessage(text)).toMatchObject({
      ok: false,
      error: { code: 'EMPTY', message: { ja: 'メッセージを入力してください' } },
    });
  });

  it.each([
    ['lone high surrogate', 'abc\ud83c', 3],
    ['lone low surrogate', '\udf89abc', 0],
    ['reversed pair', 'x\udf89\ud83c', 1],
  ])('%s is LONE_SURROGATE', (_name, text, index) => {
    expect(validateChatMessage(text)).toMatchObject({
      ok: false,
      error: { code: 'LONE_SURROGATE', details: { index } },
    });
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['bell', '\u0007', 'U+0007'],
    ['escape (terminal injection)', 'x\u001b[31m', 'U+001B'],
    ['bare CR', 'a\rb', 'U+000D'],
    ['DEL', 'a\u007f', 'U+007F'],
    ['C1 NEL', 'a\u0085', 'U+0085'],
  ])('%s is CONTROL_CHARACTER', (_name, text, codePoint) => {
    const r = validateChatMessage(text);
    expect(r).toMatchObject({ ok: false, error: { code: 'CONTROL_CHARACTER', details: { codePoint } } });
    if (!r.ok) expect(r.error.message.ja).toContain(codePoint);
  });

  it('allows newline, tab and CRLF', () => {
    expect(validateChatMessage('一行目\n二行目\tタブ\r\n三行目')).toMatchObject({
      ok: true,
      text: '一行目\n二行目\tタブ\n三行目',
    });
  });

  it('allows the invisible characters emoji need (ZWJ, variation selectors)', () => {
    expect(codeOf(validateChatMessage('🏳️‍🌈 #️⃣'))).toBe('OK');
  });

  it.each([
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['number', 42, 'number'],
    ['object', { message: 'hi' }, 'object'],
    ['array', ['hi'], 'array'],
  ])('%s is NOT_A_STRING', (_name, value, type) => {
    expect(validateChatMessage(value)).toMatchObject({
      ok: false,
      error: { code: 'NOT_A_STRING', details: { type } },
    });
  });
});

describe('validateChatMessage: normalisation (NFC)', () => {
  it('stores combining dakuten composed: か + U+3099 becomes が', () => {
    const r = validateChatMessage('か\u3099い\u3099ん');
    expect(r).toMatchObject({ ok: true, text: 'がいん'.replace('い', 'い\u3099').normalize('NFC') });
    expect(r).toMatchObject({ ok: true, text: 'が' + 'い\u3099'.normalize('NFC') + 'ん' });
    expect(validateChatMessage('か\u3099')).toMatchObject({
      ok: true,
      text: 'が',
      metrics: { graphemes: 1, codePoints: 1 },
    });
  });

  it('does not fold half-width katakana or full-width forms (that would be NFKC)', () => {
    expect(validateChatMessage('ｶﾞＡ１')).toMatchObject({ ok: true, text: 'ｶﾞＡ１' });
  });

  it('counts the same length for the composed and decomposed forms', () => {
    const composed = validateChatMessage('が'.repeat(4000));
    const decomposed = validateChatMessage('か\u3099'.repeat(4000));
    expect(composed).toEqual(decomposed);
    expect(codeOf(decomposed)).toBe('OK');
  });

  it('keeps the text untouched with normalize: false', () => {
    expect(validateChatMessage('か\u3099\r\n', { normalize: false })).toMatchObject({
      ok: true,
      text: 'か\u3099\r\n',
    });
  });

  it('returns metrics of the stored text', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        const r = validateChatMessage(text);
        if (r.ok) {
          expect(r.metrics).toEqual(measure(r.text));
          expect(r.text).toBe(r.text.normalize('NFC'));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('validateChatMessage never throws', () => {
  it('on any string (binary code points, graphemes, raw code units, tricky pieces)', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        const r = validateChatMessage(text);
        if (!r.ok) {
          expect(r.error.message.ja.length).toBeGreaterThan(0);
          expect(r.error.message.en.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('on any value and any options', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.record(
          { maxGraphemes: fc.anything(), maxUtf8Bytes: fc.anything(), normalize: fc.anything() },
          { requiredKeys: [] },
        ),
        (value, opts) => {
          validateChatMessage(value, opts as never);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on long strings near the limits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 3990, maxLength: 4010 }), (text) => {
        validateChatMessage(text);
      }),
      { numRuns: 100 },
    );
  });
});
