import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HideInfo, ReviewsPort, ReviewStatus, StoredModeration } from '../ports';

/**
 * Moderation state on the review item (Reviews table, key `reviewId`). Updates upsert, so the
 * order in which the review row, the verdict and a hide arrive does not matter, and a hidden
 * review is never made visible again by a late or redelivered verdict.
 */
export function createReviewsStore(doc: DynamoDBDocumentClient, tableName: string): ReviewsPort {
  const notHidden = 'attribute_not_exists(#status) OR #status <> :hidden';

  return {
    async getModeration(reviewId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { reviewId },
          ConsistentRead: true,
          ProjectionExpression: 'moderation',
        }),
      );
      return Item?.moderation as StoredModeration | undefined;
    },

    async saveModeration(reviewId, productId, moderation, status: ReviewStatus) {
      const now = moderation.moderated_at;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { reviewId },
            UpdateExpression:
              'SET moderation = :m, #status = :s, updatedAt = :now, productId = if_not_exists(productId, :p)',
            ConditionExpression: notHidden,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':m': moderation,
              ':s': status,
              ':now': now,
              ':p': productId,
              ':hidden': 'hidden',
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Already hidden by a flag: record the verdict, keep it hidden.
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { reviewId },
            UpdateExpression: 'SET moderation = :m, updatedAt = :now',
            ExpressionAttributeValues: { ':m': moderation, ':now': now },
          }),
        );
      }
    },

    async markFlagPublished(reviewId, sourceEventId, flaggedEventId) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { reviewId },
            UpdateExpression: 'SET moderation.flagged_event_id = :f',
            ConditionExpression: 'moderation.event_id = :e',
            ExpressionAttributeValues: { ':f': flaggedEventId, ':e': sourceEventId },
          }),
        );
      } catch (error) {
        // A newer submission of the review replaced the verdict meanwhile: nothing to mark.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async hide(reviewId, info: HideInfo) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { reviewId },
            UpdateExpression: 'SET #status = :hidden, hiddenAt = :at, hiddenBy = :by, updatedAt = :at',
            // A person's decision on this verdict is final: a late or redelivered flag for the same
            // verdict does not hide a review staff approved (a new submission has a new verdict).
            ConditionExpression: `(${notHidden}) AND (attribute_not_exists(review_decision) OR review_decision.moderation_event_id <> moderation.event_id)`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':hidden': 'hidden',
              ':at': info.at,
              ':by': {
                severity: info.severity,
                categories: info.categories,
                flagged_event_id: info.flaggedEventId,
              },
            },
          }),
        );
        return 'hidden';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'already_hidden';
        throw error;
      }
    },
  };
}
