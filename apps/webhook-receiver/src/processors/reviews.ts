import { z } from 'zod';
import { DeliveryError } from '../errors';
import type { EventPublisherLike, Processor, SentimentClassifier } from './types';
import { truncateGraphemes } from '@manga-assist/unicode-validator';

const REVIEW_TEXT_MAX_GRAPHEMES = 2000;

export const reviewPayload = z.looseObject({
  review_id: z.union([z.string().min(1), z.number()]).transform(String),
  product_id: z.union([z.string().min(1), z.number()]).transform(String),
  text: z.string().refine((s) => s.trim().length > 0, 'blank'),
  rating: z.number().int().min(1).max(5),
  customer_id: z.string().optional(),
});

export type ReviewValidated = z.infer<typeof reviewPayload>;

export function validateReview(payload: unknown): ReviewValidated {
  const parsed = reviewPayload.safeParse(payload);
  if (!parsed.success) {
    throw new DeliveryError(
      'invalid_payload',
      parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', '),
    );
  }
  return parsed.data;
}

/**
 * Review -> ReviewSubmitted. Sentiment is a nice-to-have: the classifier answers `unknown` past
 * its own deadline, so a slow or failing model never fails or delays the webhook beyond it.
 */
export function reviewProcessor(
  publisher: EventPublisherLike,
  classify: SentimentClassifier,
): Processor<ReviewValidated> {
  return {
    validate: validateReview,
    async process(review) {
      const text = truncateGraphemes(review.text, REVIEW_TEXT_MAX_GRAPHEMES);
      const sentiment = await classify(text);
      await publisher.publish([
        {
          detailType: 'ReviewSubmitted',
          detail: {
            review_id: review.review_id,
            product_id: review.product_id,
            review_text: text,
            rating: review.rating,
            ...(review.customer_id ? { customer_id: review.customer_id } : {}),
            ai_sentiment: sentiment,
            actions: ['content_moderation', 'response_generation'],
            processing_stage: 'raw',
            _chain_depth: 0,
          },
        },
      ]);
      return { processed: true, review_id: review.review_id, sentiment };
    },
  };
}
