import type { z } from 'zod';
import { EventValidationError, type ValidationIssue } from './errors';
import {
  catalogUpdateSchema,
  inferenceCompletedSchema,
  messageReceivedSchema,
  moderationFlaggedSchema,
  paymentCompletedSchema,
  recommendationGeneratedSchema,
  reviewSubmittedSchema,
  reviewDecidedSchema,
} from './schemas';
import { CATALOG_UPDATE_PREFIX, isDetailType, type DetailType } from './sources';

/** Detail type -> its zod schema. */
export const detailSchemas = {
  MessageReceived: messageReceivedSchema,
  InferenceCompleted: inferenceCompletedSchema,
  ModerationFlagged: moderationFlaggedSchema,
  'Recommendation.Generated': recommendationGeneratedSchema,
  PaymentCompleted: paymentCompletedSchema,
  ReviewSubmitted: reviewSubmittedSchema,
  ReviewDecided: reviewDecidedSchema,
  'CatalogUpdate.new_release': catalogUpdateSchema,
  'CatalogUpdate.price_change': catalogUpdateSchema,
  'CatalogUpdate.discontinued': catalogUpdateSchema,
  'CatalogUpdate.metadata_update': catalogUpdateSchema,
} as const satisfies Record<DetailType, z.ZodType>;

type DetailOf<T extends DetailType> = z.output<(typeof detailSchemas)[T]>;
export type DetailInputOf<T extends DetailType> = z.input<(typeof detailSchemas)[T]>;

function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Validates a detail against the schema of its detail type and returns it typed, with defaults
 * (chain metadata) filled. Throws EventValidationError (UNKNOWN_DETAIL_TYPE | INVALID_DETAIL).
 */
export function parseDetail<T extends DetailType>(detailType: T, detail: unknown): DetailOf<T>;
export function parseDetail(detailType: string, detail: unknown): DetailOf<DetailType>;
export function parseDetail(detailType: string, detail: unknown): DetailOf<DetailType> {
  if (!isDetailType(detailType)) {
    throw new EventValidationError(
      'UNKNOWN_DETAIL_TYPE',
      `Unknown detail type "${detailType}" / 不明なイベント種別 "${detailType}"`,
      [],
      detailType,
    );
  }
  const result = (detailSchemas[detailType] as z.ZodType).safeParse(detail);
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw new EventValidationError(
      'INVALID_DETAIL',
      `Invalid ${detailType} detail: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')} / ` +
        `${detailType} の内容が不正です`,
      issues,
      detailType,
    );
  }
  const parsed = result.data as DetailOf<DetailType>;
  if (detailType.startsWith(CATALOG_UPDATE_PREFIX)) {
    const expected = detailType.slice(CATALOG_UPDATE_PREFIX.length);
    const actual = (parsed as { update_type: string }).update_type;
    if (actual !== expected) {
      throw new EventValidationError(
        'INVALID_DETAIL',
        `update_type "${actual}" does not match detail type ${detailType} / update_type が種別と一致しません`,
        [{ path: 'update_type', message: `expected ${expected}` }],
        detailType,
      );
    }
  }
  return parsed;
}
