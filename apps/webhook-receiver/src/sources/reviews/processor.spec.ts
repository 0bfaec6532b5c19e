import { truncateGraphemes } from '@manga-assist/unicode-validator';
import { validateReview } from './processor';

describe('review validation', () => {
  it('requires id, product, non-blank text and a 1-5 rating', () => {
    expect(validateReview({ review_id: 7, product_id: 'p', text: '最高', rating: 5 })).toMatchObject({
      review_id: '7',
    });
    for (const bad of [
      { review_id: 'r', product_id: 'p', text: '   ', rating: 5 },
      { review_id: 'r', product_id: 'p', text: 'ok', rating: 6 },
      { review_id: 'r', text: 'ok', rating: 3 },
    ]) {
      expect(() => validateReview(bad)).toThrow(
        expect.objectContaining({ code: 'invalid_payload', status: 422 }),
      );
    }
  });

  it('truncates by grapheme clusters, never splitting a family emoji', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(truncateGraphemes(family.repeat(3), 2)).toBe(family.repeat(2));
    expect(truncateGraphemes('𠮷野家', 5)).toBe('𠮷野家');
  });
});
