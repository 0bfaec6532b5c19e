import type { ModerationFlagged } from '@manga-assist/event-schemas';
import type { ConsumerMetrics } from '../metrics';
import type { HandlerContext, HandlerOutcome, OutboundPort, ReviewsPort } from '../ports';

/** Severities that hide a review and page a human. The rule only routes these here. */
export const ACTIONABLE_SEVERITIES: ReadonlySet<string> = new Set(['high', 'critical']);

export interface ModerationFlaggedDeps {
  reviews: ReviewsPort;
  outbound: OutboundPort;
  metrics: ConsumerMetrics;
  now?: () => Date;
}

/**
 * ModerationFlagged (high|critical) -> hide the review, then a signed alert webhook. Publishes no
 * event, so this handler can never feed a loop. Redelivery is safe: hiding is conditional and the
 * webhook-id is the event id, so the receiver deduplicates repeated alerts.
 */
export function createModerationFlaggedHandler(deps: ModerationFlaggedDeps) {
  const now = deps.now ?? (() => new Date());

  return async function handleModerationFlagged(
    ctx: HandlerContext<ModerationFlagged>,
  ): Promise<HandlerOutcome> {
    const { detail, envelope, log } = ctx;
    if (!ACTIONABLE_SEVERITIES.has(detail.severity)) {
      // Only a misconfigured rule gets here: acknowledge, log and count, never act on it.
      log.warn(
        { severity: detail.severity, eventId: envelope.id },
        'flag below high severity reached the consumer; ignored',
      );
      return 'ignored_severity';
    }

    let hidden: 'hidden' | 'already_hidden' | 'no_review' = 'no_review';
    if (detail.review_id) {
      hidden = await deps.reviews.hide(detail.review_id, {
        severity: detail.severity,
        categories: detail.flagged_categories,
        flaggedEventId: envelope.id,
        at: now().toISOString(),
      });
      if (hidden === 'hidden') deps.metrics.reviewsHidden.inc({ severity: detail.severity });
      log.warn({ reviewId: detail.review_id, severity: detail.severity, hidden }, 'review hidden');
    }

    const alert = {
      type: 'moderation.alert',
      event_id: envelope.id,
      flagged_at: envelope.time,
      severity: detail.severity,
      categories: detail.flagged_categories,
      reason: detail.reason ?? null,
      review_id: detail.review_id ?? null,
      product_id: detail.product_id ?? null,
      session_id: detail.session_id ?? null,
      content_hash: detail.content_hash,
      content_preview: detail.content_preview,
      model_id: detail.model_id,
      review_hidden: hidden !== 'no_review',
      needs_human_review: (detail as { needs_human_review?: boolean }).needs_human_review === true,
    };
    return deps.outbound.deliver('alert', `msg_${envelope.id}`, alert);
  };
}
