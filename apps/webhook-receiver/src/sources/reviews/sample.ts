import { randomUUID } from 'node:crypto';
import { defineSample } from '../types';

interface ReviewSampleOptions {
  text: string;
  rating: number;
  productId?: string | undefined;
  reviewId?: string | undefined;
  customerId?: string | undefined;
}

/** A customer review as the reviews partner sends it. */
function reviewSubmitted(o: ReviewSampleOptions) {
  return {
    review_id: o.reviewId ?? `rev-${randomUUID().slice(0, 8)}`,
    product_id: o.productId ?? 'manga-frieren-13',
    text: o.text,
    rating: o.rating,
    customer_id: o.customerId ?? 'cus-local-1',
  };
}

export const sample = defineSample({
  aliases: ['review'],
  usage: '--text "最高の一冊でした" --rating 5 [--product manga-1] [--review-id rev-1]',
  options: {
    text: { kind: 'text', default: '絵がきれいで、物語にも引き込まれました。続きが楽しみです。' },
    rating: { kind: 'int', default: 5, min: 1, max: 5 },
    product: { kind: 'text' },
    'review-id': { kind: 'text' },
  },
  build: (o) =>
    reviewSubmitted({ text: o.text, rating: o.rating, productId: o.product, reviewId: o['review-id'] }),
});
