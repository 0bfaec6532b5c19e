import { toContentPreview, withChainMetadata, type ReviewSubmitted } from '@manga-assist/event-schemas';
import { contentHash } from '../moderation/content';
import {
  failClosed,
  MODERATION_SYSTEM_PROMPT,
  moderationUserPrompt,
  parseVerdict,
  type VerdictOutcome,
} from '../moderation/verdict';
import type { ConsumerMetrics } from '../metrics';
import type {
  FlagPublisherPort,
  HandlerContext,
  HandlerOutcome,
  ModelPort,
  ReviewStatus,
  ReviewsPort,
  StoredModeration,
} from '../ports';

export interface ReviewSubmittedDeps {
  model: ModelPort;
  reviews: ReviewsPort;
  publisher: FlagPublisherPort;
  metrics: ConsumerMetrics;
  /**
   * From this receive on, a model that still fails (throttled, down) no longer makes the event
   * retry: the review fails closed to human review instead of waiting in the DLQ unmoderated.
   */
  failClosedAfterReceives: number;
  now?: () => Date;
}

/**
 * ReviewSubmitted -> verdict from Haiku -> stored on the review; unsafe or untrusted -> a
 * ModerationFlagged event (published under our own source, stage `processed`, depth + 1).
 */
export function createReviewSubmittedHandler(deps: ReviewSubmittedDeps) {
  const now = deps.now ?? (() => new Date());

  return async function handleReviewSubmitted(ctx: HandlerContext<ReviewSubmitted>): Promise<HandlerOutcome> {
    const { detail, envelope, log } = ctx;
    const existing = await deps.reviews.getModeration(detail.review_id);
    if (existing?.event_id === envelope.id) {
      // Redelivery of an event we already judged: do not ask the model again, only finish the publish.
      if (!existing.safe && !existing.flagged_event_id) {
        await publishFlag(ctx, existing);
        return 'flagged';
      }
      log.info({ reviewId: detail.review_id }, 'review already moderated for this event; skipping');
      return 'duplicate';
    }

    let modelId = 'unknown';
    let outcome: VerdictOutcome;
    try {
      const answer = await deps.model.complete({
        system: MODERATION_SYSTEM_PROMPT,
        prompt: moderationUserPrompt(detail),
        maxTokens: 256,
        temperature: 0,
        signal: ctx.signal,
      });
      modelId = answer.modelId;
      outcome = parseVerdict(answer.text);
    } catch (error) {
      if (ctx.receiveCount < deps.failClosedAfterReceives) throw error; // transient: let SQS retry
      log.error(
        { err: error, receiveCount: ctx.receiveCount },
        'moderation model kept failing; failing closed',
      );
      outcome = failClosed('model_error', error instanceof Error ? error.message : String(error));
    }

    const verdict = outcome.verdict;
    if (outcome.kind === 'fail_closed') {
      deps.metrics.failClosed.inc({ reason: outcome.reason });
      log.warn(
        { reviewId: detail.review_id, reason: outcome.reason, problem: outcome.detail },
        'moderation verdict failed closed',
      );
    }
    deps.metrics.verdicts.inc({
      severity: verdict.severity,
      source: outcome.kind === 'verdict' ? 'model' : 'fail_closed',
    });

    const moderation: StoredModeration = {
      safe: verdict.safe,
      severity: verdict.severity,
      categories: verdict.categories,
      reason: verdict.reason,
      model_id: modelId,
      verdict_source: outcome.kind === 'verdict' ? 'model' : 'fail_closed',
      ...(outcome.kind === 'fail_closed' ? { fail_closed_reason: outcome.reason } : {}),
      event_id: envelope.id,
      moderated_at: now().toISOString(),
      content_preview: toContentPreview(detail.review_text),
    };
    const status: ReviewStatus =
      outcome.kind === 'fail_closed' ? 'needs_review' : verdict.safe ? 'approved' : 'flagged';
    await deps.reviews.saveModeration(detail.review_id, detail.product_id, moderation, status);
    log.info({ reviewId: detail.review_id, status, severity: verdict.severity }, 'moderation verdict stored');

    if (verdict.safe) return 'approved';
    await publishFlag(ctx, moderation);
    return outcome.kind === 'fail_closed' ? 'fail_closed' : 'flagged';
  };

  async function publishFlag(
    ctx: HandlerContext<ReviewSubmitted>,
    moderation: StoredModeration,
  ): Promise<void> {
    const { detail, envelope, depth } = ctx;
    const flag = withChainMetadata(
      {
        review_id: detail.review_id,
        product_id: detail.product_id,
        content_hash: contentHash(detail.review_text),
        content_preview: toContentPreview(detail.review_text),
        severity: moderation.severity === 'none' ? 'low' : moderation.severity,
        flagged_categories: moderation.categories,
        model_id: moderation.model_id,
        reason: moderation.reason.slice(0, 1000),
        needs_human_review: moderation.verdict_source === 'fail_closed',
      },
      { parentDepth: depth, sourceEventId: envelope.id, now: now() },
    );
    const flaggedEventId = await deps.publisher.publishModerationFlagged({ ...flag });
    await deps.reviews.markFlagPublished(detail.review_id, envelope.id, flaggedEventId);
    ctx.log.warn(
      { reviewId: detail.review_id, severity: flag.severity, flaggedEventId, depth: flag._chain_depth },
      'review flagged',
    );
  }
}
