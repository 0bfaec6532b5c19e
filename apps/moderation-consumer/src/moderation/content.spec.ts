import fc from 'fast-check';
import { contentHash, contentPreview, PREVIEW_GRAPHEMES } from './content';

const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;

describe('contentHash', () => {
  it('is the SHA-256 hex of the UTF-8 bytes', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash('最高の漫画')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('contentPreview', () => {
  it('keeps short text whole', () => {
    expect(contentPreview('面白かった！')).toBe('面白かった！');
  });

  it('cuts at 200 grapheme clusters, never inside a flag, ZWJ sequence or surrogate pair', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `${'あ'.repeat(199)}${family}🇯🇵𠮷`;
    const preview = contentPreview(text);
    expect(preview).toBe(`${'あ'.repeat(199)}${family}`);
    expect(graphemes(preview)).toBe(PREVIEW_GRAPHEMES);
  });

  it('always yields a prefix of at most 200 graphemes (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const preview = contentPreview(text);
        expect(text.startsWith(preview)).toBe(true);
        expect(graphemes(preview)).toBe(Math.min(PREVIEW_GRAPHEMES, graphemes(text)));
      }),
    );
  });
});
