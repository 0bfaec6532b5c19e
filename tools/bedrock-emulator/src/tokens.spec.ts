import fc from 'fast-check';
import { countInputTokens, countTokens, splitIntoDeltas, truncateToTokens } from './tokens';

describe('emulator token counting', () => {
  it('counts CJK characters one each, ASCII words by 4-letter pieces, skips spaces', () => {
    expect(countTokens('漫画')).toBe(2);
    expect(countTokens('manga store')).toBe(2 + 2);
    expect(countTokens('Hi!')).toBe(2);
    expect(countTokens('   ')).toBe(0);
  });

  it('adds framing overhead per message and for the system prompt', () => {
    expect(countInputTokens('', [{ role: 'user', text: 'abcd' }])).toBe(1 + 4);
    expect(countInputTokens('abcd', [{ role: 'user', text: 'abcd' }])).toBe(1 + 3 + 1 + 4);
  });

  it('splits text into deltas that concatenate back exactly and count the same tokens', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const deltas = splitIntoDeltas(text);
        expect(deltas.map((d) => d.text).join('')).toBe(text);
        expect(deltas.reduce((n, d) => n + d.tokens, 0)).toBe(countTokens(text));
      }),
    );
  });

  it('truncates to a token budget on a token boundary', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.integer({ min: 0, max: 40 }), (text, max) => {
        const cut = truncateToTokens(text, max);
        expect(countTokens(cut.text)).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut.text)).toBe(true);
        expect(cut.truncated).toBe(countTokens(text) > max);
      }),
    );
  });
});
