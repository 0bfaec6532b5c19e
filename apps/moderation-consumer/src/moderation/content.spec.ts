import { toContentPreview } from '@manga-assist/event-schemas';
import { contentHash } from './content';

describe('contentHash', () => {
  it('is the SHA-256 hex of the UTF-8 bytes', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash('最高の漫画')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('content preview (event-schemas toContentPreview, as the flag uses it)', () => {
  it('cuts at 200 grapheme clusters, never inside a ZWJ sequence, flag or surrogate pair', () => {
    const family = '👨‍👩‍👧‍👦';
    const preview = toContentPreview(`${'あ'.repeat(199)}${family}🇯🇵𠮷`);
    expect(preview).toBe(`${'あ'.repeat(199)}${family}`);
  });
});
