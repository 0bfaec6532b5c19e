import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { callerOf } from '@manga-assist/identity';
import { httpError, jsonBody, sendHttpError, sendJson, type Logger } from '@manga-assist/service-runtime';
import {
  DECIDABLE_STATUSES,
  REVIEW_QUEUE_STATUSES,
  type ReviewDecisions,
  type ReviewForStaff,
} from './review-decisions';

export interface ReviewAdminDeps {
  decisions: ReviewDecisions;
  /** Publishes ReviewDecided; resolves with the event id. */
  publishDecision(review: ReviewForStaff): Promise<string>;
  logger: Logger;
  now?: () => Date;
}

const MESSAGES = {
  invalid: { ja: 'リクエストの形式が正しくありません。', en: 'The request is not valid.' },
  notFound: { ja: 'レビューが見つかりません。', en: 'Review not found.' },
  conflict: {
    ja: 'このレビューは既に別の判断がされているか、判断できる状態ではありません。',
    en: 'This review was already decided differently, or is not waiting for a decision.',
  },
  notPublished: {
    ja: '判断は記録されましたが、イベントを発行できませんでした。同じ判断をもう一度送信してください。',
    en: 'The decision is recorded but its event could not be published. Send the same decision again.',
  },
};

const listQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : REVIEW_QUEUE_STATUSES))
    .pipe(z.array(z.enum(DECIDABLE_STATUSES)).min(1)),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

export const decisionBody = z.object({
  decision: z.enum(['approve', 'reject']),
  note: z.string().max(1000).optional(),
});

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  if (typeof key !== 'object' || key === null || typeof (key as { reviewId?: unknown }).reviewId !== 'string')
    throw new Error('bad cursor');
  return { reviewId: (key as { reviewId: string }).reviewId };
}

/**
 * Human review (staff only; the caller is mounted behind requireRole): list the reviews waiting for
 * a person (needs_review: the model could not be trusted; hidden: flagged high/critical), and decide
 * one: approve -> visible (approved), reject -> hidden. Each decision is stored on the review with
 * who and when, and published as ReviewDecided.
 */
export function createReviewAdminRouter(deps: ReviewAdminDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const fail = (
    req: Request,
    res: Response,
    status: number,
    code: string,
    messages: { ja: string; en: string },
    details: Record<string, unknown> = {},
  ) => sendHttpError(req, res, httpError(code, status, messages, details));

  router.get('/admin/reviews', async (req: Request, res: Response) => {
    const parsed = listQuery.safeParse(req.query);
    let cursor: Record<string, unknown> | undefined;
    try {
      cursor = parsed.success ? decodeCursor(parsed.data.cursor) : undefined;
    } catch {
      return fail(req, res, 400, 'INVALID_REQUEST', MESSAGES.invalid, { field: 'cursor' });
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(req, res, 400, 'INVALID_REQUEST', MESSAGES.invalid, {
        issue: `${issue?.path.join('.') || 'query'}: ${issue?.message}`,
      });
    }
    const { reviews, next } = await deps.decisions.list({
      statuses: parsed.data.status,
      limit: parsed.data.limit,
      cursor,
    });
    sendJson(res, 200, { reviews, next: encodeCursor(next) ?? null });
  });

  router.post(
    '/admin/reviews/:reviewId/decision',
    jsonBody({ limitBytes: 8 * 1024 }),
    async (req: Request, res: Response) => {
      const parsed = decisionBody.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail(req, res, 400, 'INVALID_REQUEST', MESSAGES.invalid, {
          issue: `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
        });
      }
      const reviewId = String(req.params.reviewId);
      const staff = callerOf(res).userId;
      const result = await deps.decisions.decide(reviewId, {
        ...parsed.data,
        by: staff,
        at: now().toISOString(),
      });
      if (result.outcome === 'not_found') return fail(req, res, 404, 'REVIEW_NOT_FOUND', MESSAGES.notFound);
      if (result.outcome === 'conflict')
        return fail(req, res, 409, 'REVIEW_ALREADY_DECIDED', MESSAGES.conflict, { review: result.review });
      const review = result.review;
      const decision = review.review_decision;
      const log = deps.logger.child({ reviewId, staff, decision: decision?.decision });
      if (result.outcome === 'decided')
        log.info(
          { previousStatus: decision?.previous_status, status: review.status },
          'review decided by staff',
        );
      if (decision && !decision.event_id) {
        try {
          const eventId = await deps.publishDecision(review);
          await deps.decisions.markDecisionPublished(reviewId, decision.decided_at, eventId);
          decision.event_id = eventId;
        } catch (error) {
          log.error(
            { err: error },
            'ReviewDecided could not be published; the decision is recorded, a repeat publishes it',
          );
          return fail(req, res, 503, 'DECISION_EVENT_NOT_PUBLISHED', MESSAGES.notPublished, { review });
        }
      }
      sendJson(res, 200, { review, repeated: result.outcome === 'same_decision' });
    },
  );

  return router;
}
