import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReviewStatus, StoredModeration } from '../ports';

/** Statuses a person may decide on; the default list is the human-review queue. */
export const DECIDABLE_STATUSES = ['needs_review', 'hidden', 'flagged'] as const;
export type DecidableStatus = (typeof DECIDABLE_STATUSES)[number];
export const REVIEW_QUEUE_STATUSES: DecidableStatus[] = ['needs_review', 'hidden'];

export type Decision = 'approve' | 'reject';

export interface ReviewDecisionRecord {
  decision: Decision;
  decided_by: string;
  decided_at: string;
  previous_status: string;
  /** The verdict the person decided on (moderation.event_id). */
  moderation_event_id: string | null;
  note?: string;
  /** Set once the ReviewDecided event is on the bus. */
  event_id?: string;
}

export interface ReviewForStaff {
  reviewId: string;
  productId?: string;
  status: ReviewStatus;
  /** What customers see: only approved reviews are shown. */
  visible: boolean;
  moderation?: StoredModeration;
  hiddenAt?: string;
  hiddenBy?: unknown;
  updatedAt?: string;
  review_decision?: ReviewDecisionRecord;
}

export type DecideResult =
  | { outcome: 'decided' | 'same_decision'; review: ReviewForStaff }
  | { outcome: 'not_found' }
  | { outcome: 'conflict'; review: ReviewForStaff };

const toView = (item: Record<string, unknown>): ReviewForStaff => ({
  ...(item as unknown as ReviewForStaff),
  visible: item.status === 'approved',
});

/**
 * Human review on the Reviews table. The list is a filtered Scan (bounded per call, with a cursor):
 * the queue is small next to the table and a status index would cost a write on every verdict.
 * A decision is a conditional update, so two staff members deciding at once cannot both win.
 */
export function createReviewDecisions(doc: DynamoDBDocumentClient, tableName: string) {
  const get = async (reviewId: string) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: { reviewId }, ConsistentRead: true }))).Item;

  return {
    async list(options: {
      statuses: DecidableStatus[];
      limit: number;
      cursor?: Record<string, unknown>;
      maxPages?: number;
    }) {
      const items: ReviewForStaff[] = [];
      let ExclusiveStartKey = options.cursor;
      const values = Object.fromEntries(options.statuses.map((s, i) => [`:s${i}`, s]));
      for (let page = 0; page < (options.maxPages ?? 10) && items.length < options.limit; page++) {
        const out = await doc.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: `#status IN (${Object.keys(values).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ExclusiveStartKey,
            Limit: 500,
          }),
        );
        for (const item of out.Items ?? []) if (items.length < options.limit) items.push(toView(item));
        ExclusiveStartKey = out.LastEvaluatedKey;
        if (!ExclusiveStartKey) break;
      }
      return { reviews: items, next: ExclusiveStartKey };
    },

    async decide(
      reviewId: string,
      input: { decision: Decision; by: string; at: string; note?: string },
    ): Promise<DecideResult> {
      const current = await get(reviewId);
      if (!current) return { outcome: 'not_found' };
      const existing = current.review_decision as ReviewDecisionRecord | undefined;
      const verdictId = (current.moderation as StoredModeration | undefined)?.event_id ?? null;
      if (existing && existing.moderation_event_id === verdictId && current.status !== 'needs_review') {
        // Already decided on this verdict: the same decision again is a harmless repeat.
        return existing.decision === input.decision
          ? { outcome: 'same_decision', review: toView(current) }
          : { outcome: 'conflict', review: toView(current) };
      }
      if (!(DECIDABLE_STATUSES as readonly string[]).includes(String(current.status)))
        return { outcome: 'conflict', review: toView(current) };
      const record: ReviewDecisionRecord = {
        decision: input.decision,
        decided_by: input.by,
        decided_at: input.at,
        previous_status: String(current.status),
        moderation_event_id: verdictId,
        ...(input.note ? { note: input.note } : {}),
      };
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { reviewId },
            UpdateExpression: 'SET #status = :next, review_decision = :d, updatedAt = :at',
            ConditionExpression:
              current.updatedAt === undefined
                ? '#status = :seen AND attribute_not_exists(updatedAt)'
                : '#status = :seen AND updatedAt = :seenAt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':next': input.decision === 'approve' ? 'approved' : 'hidden',
              ':d': record,
              ':at': input.at,
              ':seen': current.status,
              ...(current.updatedAt === undefined ? {} : { ':seenAt': current.updatedAt }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { outcome: 'decided', review: toView(out.Attributes ?? {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const now = await get(reviewId);
        return now ? { outcome: 'conflict', review: toView(now) } : { outcome: 'not_found' };
      }
    },

    async markDecisionPublished(reviewId: string, decidedAt: string, eventId: string): Promise<void> {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { reviewId },
          UpdateExpression: 'SET review_decision.event_id = :e',
          ConditionExpression: 'review_decision.decided_at = :at',
          ExpressionAttributeValues: { ':e': eventId, ':at': decidedAt },
        }),
      );
    },
  };
}

export type ReviewDecisions = ReturnType<typeof createReviewDecisions>;
