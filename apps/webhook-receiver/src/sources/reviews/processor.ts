import type { z } from 'zod';
import type { ReviewSubmittedInput } from '@manga-assist/event-schemas';
import { truncateGraphemes } from '@manga-assist/unicode-validator';
import { DeliveryError } from '../../errors';
import type { Processor, Sentiment, SourceDeps } from '../types';
import { reviewPayload } from './payload';

const REVIEW_TEXT_MAX_GRAPHEMES = 2000;

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

/** Pure: the ReviewSubmitted detail of a review, its text cut to the event's cap in graphemes. */
function reviewEvent(review: ReviewValidated, text: string, sentiment: Sentiment): ReviewSubmittedInput {
  return {
    review_id: review.review_id,
    product_id: review.product_id,
    review_text: text,
    rating: review.rating,
    ...(review.customer_id ? { customer_id: review.customer_id } : {}),
    ai_sentiment: sentiment,
    actions: ['content_moderation', 'response_generation'],
    processing_stage: 'raw',
    _chain_depth: 0,
  };
}

/**
 * Review -> ReviewSubmitted. Sentiment is a nice-to-have: the classifier answers `unknown` past
 * its own deadline, so a slow or failing model never fails or delays the webhook beyond it.
 */
export function reviewProcessor({ publisher, classifySentiment }: SourceDeps): Processor<ReviewValidated> {
  return {
    validate: validateReview,
    async process(review) {
      const text = truncateGraphemes(review.text, REVIEW_TEXT_MAX_GRAPHEMES);
      const sentiment = await classifySentiment(text);
      await publisher.publish([
        { detailType: 'ReviewSubmitted', detail: reviewEvent(review, text, sentiment) },
      ]);
      return { processed: true, review_id: review.review_id, sentiment };
    },
  };
}
