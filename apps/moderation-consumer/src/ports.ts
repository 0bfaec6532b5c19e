import type { Logger } from '@manga-assist/service-runtime';
import type { ModerationFlaggedInput } from '@manga-assist/event-schemas';
import type { VerdictSeverity } from './moderation/verdict';

/**
 * What the handlers need from the outside world, as narrow interfaces: the service wires them to
 * fm-client, DynamoDB, the event publisher and the outbound webhook sender; unit tests pass fakes.
 */

export interface ModelRequest {
  system: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  signal?: AbortSignal;
}

export interface ModelAnswer {
  text: string;
  modelId: string;
}

export interface ModelPort {
  complete(request: ModelRequest): Promise<ModelAnswer>;
}

export type ReviewStatus = 'approved' | 'flagged' | 'needs_review' | 'hidden';

export interface StoredModeration {
  safe: boolean;
  severity: VerdictSeverity;
  categories: string[];
  reason: string;
  model_id: string;
  /** `model` when the verdict came from the model; `fail_closed` when it could not be trusted. */
  verdict_source: 'model' | 'fail_closed';
  fail_closed_reason?: string;
  /** The ReviewSubmitted event this verdict answers (redelivery detection). */
  event_id: string;
  moderated_at: string;
  /** Set once the ModerationFlagged event for this verdict is published. */
  flagged_event_id?: string;
  /** The first 200 characters of the review, so that staff can decide without another system. */
  content_preview?: string;
}

export interface HideInfo {
  severity: string;
  categories: string[];
  flaggedEventId: string;
  at: string;
}

export interface ReviewsPort {
  getModeration(reviewId: string): Promise<StoredModeration | undefined>;
  /** Stores the verdict and the status, except that a hidden review stays hidden. */
  saveModeration(
    reviewId: string,
    productId: string,
    moderation: StoredModeration,
    status: ReviewStatus,
  ): Promise<void>;
  markFlagPublished(reviewId: string, sourceEventId: string, flaggedEventId: string): Promise<void>;
  /** Hides the review; `already_hidden` when a previous delivery did it. */
  hide(reviewId: string, info: HideInfo): Promise<'hidden' | 'already_hidden'>;
}

export interface FlagPublisherPort {
  /** Publishes one ModerationFlagged detail (chain metadata included); resolves with its event id. */
  publishModerationFlagged(detail: ModerationFlaggedInput): Promise<string>;
}

export type OutboundTarget = 'alert' | 'crm';

export interface OutboundPort {
  /**
   * Delivers a signed webhook with retries; after the last retry the payload goes to the outbound
   * DLQ. Resolves with what happened; rejects only when even the DLQ could not take it (so the
   * triggering SQS message is retried and nothing is lost).
   */
  deliver(
    target: OutboundTarget,
    webhookId: string,
    payload: Record<string, unknown>,
  ): Promise<'delivered' | 'dead_lettered'>;
}

/** The EventBridge envelope fields handlers use, with the validated detail. */
export interface ReceivedEvent<D> {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: D;
}

export interface HandlerContext<D> {
  envelope: ReceivedEvent<D>;
  detail: D;
  /** Chain depth of the received event (0 for fresh input). */
  depth: number;
  receiveCount: number;
  signal: AbortSignal;
  log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/** Short outcome label for metrics and logs (`approved`, `flagged`, `delivered`...). */
export type HandlerOutcome = string;
