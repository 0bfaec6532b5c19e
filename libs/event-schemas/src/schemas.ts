import { z } from 'zod';
import { graphemeLength } from '@manga-assist/unicode-validator';
import { CATALOG_UPDATE_TYPES } from './sources';

/** Caps of the event fields (docs/architecture.md#event-caps), counted in grapheme clusters (what a reader sees as characters). */
export const FIELD_CAPS = {
  message: 4000,
  response_summary: 500,
  content_preview: 200,
  review_text: 2000,
} as const;

const graphemes = (max: number) =>
  z
    .string()
    .refine((s) => graphemeLength(s) <= max, { message: `at most ${max} characters (grapheme clusters)` });

const PROCESSING_STAGES = ['raw', 'processed', 'completed'] as const;
export type ProcessingStage = (typeof PROCESSING_STAGES)[number];

/**
 * Chain metadata carried by every detail (docs/architecture.md#loop-guards). Producers of fresh input
 * publish `raw` at depth 0; a consumer that publishes because of an event publishes `processed`
 * with depth + 1 (see withChainMetadata); terminal telemetry is `completed`.
 */
const chainFields = (stage: ProcessingStage) => ({
  _chain_depth: z.number().int().min(0).default(0),
  _source_event_id: z.string().min(1).optional(),
  _processed_at: z.string().optional(),
  processing_stage: z.enum(PROCESSING_STAGES).default(stage),
});

/**
 * `estimated_cost_usd` is a JSON number of US dollars, rounded to 6 decimals. The seed has it both
 * as a string (§3.1) and a float (§5.2); a number lets EventBridge rules use `numeric` matching
 * (which honours six digits after the decimal point), and six decimals keep Haiku's
 * $0.25 / 1M input tokens exact per token.
 */
const usdAmount = z
  .number()
  .finite()
  .nonnegative()
  .transform((v) => Math.round(v * 1e6) / 1e6);

const count = z.number().int().nonnegative();

export const messageReceivedSchema = z.looseObject({
  session_id: z.string().min(1),
  user_id: z.string().min(1),
  message_id: z.string().min(1).optional(),
  message: graphemes(FIELD_CAPS.message),
  language: z.enum(['ja', 'en']),
  channel: z.enum(['web', 'mobile', 'api']),
  ...chainFields('raw'),
});

export const inferenceCompletedSchema = z.looseObject({
  session_id: z.string().min(1),
  user_id: z.string().min(1).optional(),
  model_id: z.string().min(1),
  status: z.enum(['success', 'error', 'timeout']),
  metrics: z.looseObject({
    input_tokens: count,
    output_tokens: count,
    latency_ms: count,
    estimated_cost_usd: usdAmount,
  }),
  response_summary: graphemes(FIELD_CAPS.response_summary).optional(),
  stop_reason: z.string().optional(),
  cached: z.boolean().optional(),
  variant: z.string().optional(),
  ...chainFields('completed'),
});

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const moderationFlaggedSchema = z
  .looseObject({
    session_id: z.string().min(1).optional(),
    review_id: z.string().min(1).optional(),
    product_id: z.string().min(1).optional(),
    content_hash: z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 as 64 lowercase hex digits'),
    content_preview: graphemes(FIELD_CAPS.content_preview),
    severity: z.enum(SEVERITIES),
    flagged_categories: z.array(z.string().min(1)).max(20),
    model_id: z.string().min(1),
    reason: z.string().max(1000).optional(),
    ...chainFields('processed'),
  })
  .refine((d) => d.session_id !== undefined || d.review_id !== undefined, {
    message: 'session_id or review_id is required',
    path: ['review_id'],
  });

export const recommendationGeneratedSchema = z.looseObject({
  user_id: z.string().min(1),
  session_id: z.string().min(1).optional(),
  model_id: z.string().min(1),
  recommendations: z
    .array(
      z.looseObject({
        product_id: z.string().min(1),
        title: z.string().optional(),
        score: z.number().min(0).max(1).optional(),
        reason: z.string().max(500).optional(),
      }),
    )
    .max(50),
  ...chainFields('processed'),
});

/**
 * Payment amounts are integers in the currency's smallest unit, exactly as Stripe sends
 * `amount_total` (JPY has no minor unit: ¥1,500 is 1500; USD $15.00 is 1500). Never divide by 100.
 */
export const paymentCompletedSchema = z.looseObject({
  order_id: z.string().min(1),
  payment_id: z.string().min(1).optional(),
  customer_id: z.string().optional(),
  customer_email: z.email().optional(),
  amount_minor: count,
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code in upper case'),
  items: z
    .array(
      z.looseObject({
        title: z.string(),
        qty: z.number().int().positive(),
        product_id: z.string().optional(),
      }),
    )
    .max(500)
    .default([]),
  /** The customer's language as the checkout knew it (Stripe checkout session `locale`: `ja`, `en-GB`, `auto`). */
  locale: z.string().min(1).max(35).optional(),
  /** ISO 3166-1 alpha-2 country of the customer (billing address), when known. */
  customer_country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 in upper case')
    .optional(),
  ...chainFields('raw'),
});

const REVIEW_DECISIONS = ['approve', 'reject'] as const;

/**
 * A staff member's decision on a review the model could not clear (needs_review) or that was
 * hidden: approve -> visible (status approved), reject -> hidden. Who and when, for the audit trail.
 */
export const reviewDecidedSchema = z.looseObject({
  review_id: z.string().min(1),
  product_id: z.string().min(1).optional(),
  decision: z.enum(REVIEW_DECISIONS),
  previous_status: z.string().min(1),
  status: z.enum(['approved', 'hidden']),
  decided_by: z.string().min(1).max(128),
  decided_at: z.iso.datetime(),
  note: z.string().max(1000).optional(),
  ...chainFields('completed'),
});

export const reviewSubmittedSchema = z.looseObject({
  review_id: z.string().min(1),
  product_id: z.string().min(1),
  review_text: graphemes(FIELD_CAPS.review_text).refine((s) => s.trim().length > 0, 'must not be blank'),
  rating: z.number().int().min(1).max(5),
  customer_id: z.string().optional(),
  /** Absent or 'unknown' when the model did not answer in time: accepting a review never waits on it. */
  ai_sentiment: z.enum(['positive', 'negative', 'neutral', 'unknown']).optional(),
  ...chainFields('raw'),
});

/** One schema for every `CatalogUpdate.<type>`; `update_type` must agree with the detail type. */
export const catalogUpdateSchema = z.looseObject({
  product_id: z.string().min(1),
  title: z.string().min(1),
  update_type: z.enum(CATALOG_UPDATE_TYPES),
  batch_id: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  actions: z.array(z.string()).optional(),
  ...chainFields('raw'),
});

/**
 * The EventBridge event as a target receives it (SQS message body = this JSON). `detail` is
 * validated separately, by detail type (parseDetail; README: a consumer).
 */
export const eventEnvelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
  /** Present on events re-sent by an archive replay. */
  'replay-name': z.string().optional(),
});

export type MessageReceived = z.output<typeof messageReceivedSchema>;
export type InferenceCompleted = z.output<typeof inferenceCompletedSchema>;
export type ModerationFlagged = z.output<typeof moderationFlaggedSchema>;
export type RecommendationGenerated = z.output<typeof recommendationGeneratedSchema>;
export type PaymentCompleted = z.output<typeof paymentCompletedSchema>;
export type ReviewSubmitted = z.output<typeof reviewSubmittedSchema>;
export type CatalogUpdate = z.output<typeof catalogUpdateSchema>;
export type ReviewDecided = z.output<typeof reviewDecidedSchema>;
/** The envelope as targets receive it (explicit so that unknown extra keys stay `unknown`). */
export interface EventEnvelope<D = Record<string, unknown>> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
  'replay-name'?: string;
}

/** What a publisher may pass (chain metadata and defaults optional). */
export type ModerationFlaggedInput = z.input<typeof moderationFlaggedSchema>;
export type PaymentCompletedInput = z.input<typeof paymentCompletedSchema>;
export type ReviewSubmittedInput = z.input<typeof reviewSubmittedSchema>;
export type CatalogUpdateInput = z.input<typeof catalogUpdateSchema>;
