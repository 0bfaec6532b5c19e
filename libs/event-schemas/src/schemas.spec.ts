import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chainDepthOf,
  eventEnvelopeSchema,
  EventValidationError,
  MAX_CHAIN_DEPTH,
  parseDetail,
  toContentPreview,
  toResponseSummary,
  toSqsMessageBody,
  withChainMetadata,
  putEventsEntrySize,
  SOURCE_BY_DETAIL_TYPE,
} from './index';

const inference = {
  session_id: 's-1',
  model_id: 'anthropic.claude-3-haiku-20240307-v1:0',
  status: 'success',
  metrics: { input_tokens: 1000, output_tokens: 200, latency_ms: 1200, estimated_cost_usd: 0.000500123456 },
};

describe('detail schemas', () => {
  it('fills chain metadata defaults and rounds estimated_cost_usd to 6 decimals (a number)', () => {
    const parsed = parseDetail('InferenceCompleted', inference);
    expect(parsed.metrics.estimated_cost_usd).toBe(0.0005);
    expect(parsed._chain_depth).toBe(0);
    expect(parsed.processing_stage).toBe('completed');
    expect(
      parseDetail('ReviewSubmitted', { review_id: 'r', product_id: 'p', review_text: 'x', rating: 1 })
        .processing_stage,
    ).toBe('raw');
  });

  it("refuses the seed's string cost", () => {
    expect(() =>
      parseDetail('InferenceCompleted', {
        ...inference,
        metrics: { ...inference.metrics, estimated_cost_usd: '0.0005' },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_DETAIL',
        issues: [expect.objectContaining({ path: 'metrics.estimated_cost_usd' })],
      }),
    );
  });

  it('counts the response_summary cap (500) in graphemes: 500 family emoji pass, 501 do not', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(() =>
      parseDetail('InferenceCompleted', { ...inference, response_summary: family.repeat(500) }),
    ).not.toThrow();
    expect(() =>
      parseDetail('InferenceCompleted', { ...inference, response_summary: family.repeat(501) }),
    ).toThrow(EventValidationError);
    expect(toResponseSummary(family.repeat(600))).toBe(family.repeat(500));
  });

  it('counts the content_preview cap (200) in graphemes and truncates without splitting 𠮷', () => {
    const flag = {
      review_id: 'r',
      content_hash: 'f'.repeat(64),
      severity: 'high',
      flagged_categories: [],
      model_id: 'm',
    };
    expect(() =>
      parseDetail('ModerationFlagged', { ...flag, content_preview: '𠮷'.repeat(200) }),
    ).not.toThrow();
    expect(() => parseDetail('ModerationFlagged', { ...flag, content_preview: '𠮷'.repeat(201) })).toThrow(
      EventValidationError,
    );
    expect(toContentPreview('𠮷'.repeat(300))).toBe('𠮷'.repeat(200));
    expect(() =>
      parseDetail('ModerationFlagged', {
        ...flag,
        session_id: undefined,
        review_id: undefined,
        content_preview: 'x',
      }),
    ).toThrow(/session_id or review_id/);
  });

  it('keeps payment amounts in the smallest currency unit (¥1,500 stays 1500)', () => {
    const parsed = parseDetail('PaymentCompleted', { order_id: 'o', amount_minor: 1500, currency: 'JPY' });
    expect(parsed.amount_minor).toBe(1500);
    expect(() =>
      parseDetail('PaymentCompleted', { order_id: 'o', amount_minor: 15.5, currency: 'jpy' }),
    ).toThrow(EventValidationError);
  });

  it('requires CatalogUpdate.<type> to agree with update_type', () => {
    const detail = { product_id: 'm', title: 't', update_type: 'price_change' };
    expect(parseDetail('CatalogUpdate.price_change', detail).update_type).toBe('price_change');
    expect(() => parseDetail('CatalogUpdate.new_release', detail)).toThrow(/does not match/);
  });

  it('names an unknown detail type with a typed code', () => {
    expect(() => parseDetail('CatalogUpdate.typo', {})).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_DETAIL_TYPE' }),
    );
  });

  it('parses an event as a consumer receives it from SQS (the README example)', () => {
    const body = (detailType: string, detail: object, depth = 0) =>
      JSON.stringify({
        version: '0',
        id: 'e-1',
        'detail-type': detailType,
        source: 'mangaassist.webhooks',
        account: '000000000000',
        time: '2026-11-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { ...detail, ...(depth ? { _chain_depth: depth } : {}) },
      });
    const review = { review_id: 'r-1', product_id: 'p-1', review_text: 'やあ', rating: 4 };
    expect(onReviewMessage(body('ReviewSubmitted', review))).toEqual({
      review_id: 'r-1',
      product_id: 'p-1',
      rating: 4,
      _chain_depth: 1,
      _source_event_id: 'e-1',
      _processed_at: expect.any(String),
      processing_stage: 'processed',
    });
    expect(onReviewMessage(body('ReviewSubmitted', review, MAX_CHAIN_DEPTH))).toBeUndefined();
    expect(onReviewMessage(body('PaymentCompleted', {}))).toBeUndefined();
    expect(() => onReviewMessage(body('ReviewSubmitted', { ...review, rating: 6 }))).toThrow(
      EventValidationError,
    );
    expect(() => onReviewMessage('{"id":1}')).toThrow(/detail-type/);
  });

  it('shows in the README the consumer example this spec runs', () => {
    const source = readFileSync(__filename, 'utf8');
    const example = source.slice(
      source.indexOf('// README:start\n') + 16,
      source.lastIndexOf('// README:end'),
    );
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(example.length).toBeGreaterThan(100);
    expect(readme).toContain(example);
  });
});

// The README's consumer example, copied verbatim (the test above checks the copy).
// README:start
function onReviewMessage(body: string) {
  const envelope = eventEnvelopeSchema.parse(JSON.parse(body)); // ZodError: not an EventBridge envelope
  const depth = chainDepthOf(envelope.detail);
  if (depth >= MAX_CHAIN_DEPTH) return undefined; // a possible loop: acknowledge, do not process
  if (envelope['detail-type'] !== 'ReviewSubmitted') return undefined;
  // Typed ReviewSubmitted with defaults filled; EventValidationError (INVALID_DETAIL) when invalid.
  const review = parseDetail('ReviewSubmitted', envelope.detail);
  // An event published because of this one: depth + 1, stage 'processed', the parent's id.
  return withChainMetadata(
    { review_id: review.review_id, product_id: review.product_id, rating: review.rating },
    { parentDepth: depth, sourceEventId: envelope.id },
  );
}
// README:end

describe('chain metadata', () => {
  it('increments depth, marks processed and records the parent event', () => {
    const next = withChainMetadata({ a: 1 }, { parentDepth: 1, sourceEventId: 'e-1', now: new Date(0) });
    expect(next).toEqual({
      a: 1,
      _chain_depth: 2,
      _source_event_id: 'e-1',
      _processed_at: '1970-01-01T00:00:00.000Z',
      processing_stage: 'processed',
    });
  });

  it('stops at depth 3', () => {
    expect(MAX_CHAIN_DEPTH).toBe(3);
    expect(chainDepthOf({ _chain_depth: 2 })).toBe(2);
    expect(chainDepthOf({ _chain_depth: 3 })).toBe(3);
    expect(chainDepthOf({})).toBe(0);
    expect(chainDepthOf({ _chain_depth: 'x' })).toBe(0);
  });
});

describe('entry size and SQS body', () => {
  it('computes the PutEvents entry size as AWS documents it (UTF-8 bytes, +14 for Time)', () => {
    expect(
      putEventsEntrySize({ Source: 'ab', DetailType: 'c', Detail: '{"x":"あ"}', Resources: ['r'] }),
    ).toBe(2 + 1 + 11 + 1); // あ is 3 bytes;
    expect(putEventsEntrySize({ Time: new Date(), Source: 'a' })).toBe(15);
  });

  it('escapes astral characters in SQS bodies without changing the JSON value', () => {
    const value = { t: '🎉𠮷 ok', n: 1 };
    const body = toSqsMessageBody(value);
    expect(body).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
    expect(JSON.parse(body)).toEqual(value);
  });
});

describe('ReviewDecided (human review)', () => {
  const decided = {
    review_id: 'r-1',
    decision: 'approve',
    previous_status: 'needs_review',
    status: 'approved',
    decided_by: 'staff-1',
    decided_at: '2026-12-02T03:00:00.000Z',
  };

  it('records who decided what and when, as the end of a chain (completed)', () => {
    expect(parseDetail('ReviewDecided', decided)).toMatchObject({
      ...decided,
      processing_stage: 'completed',
      _chain_depth: 0,
    });
  });

  it('refuses an unknown decision or a missing decider', () => {
    expect(() => parseDetail('ReviewDecided', { ...decided, decision: 'maybe' })).toThrow(
      EventValidationError,
    );
    expect(() => parseDetail('ReviewDecided', { ...decided, decided_by: '' })).toThrow(EventValidationError);
  });

  it('is published by staff, never by a consumer', () => {
    expect(SOURCE_BY_DETAIL_TYPE.ReviewDecided).toBe('mangaassist.staff');
  });
});

describe('PaymentCompleted language hints', () => {
  it('carries the checkout locale and the customer country when known', () => {
    const detail = parseDetail('PaymentCompleted', {
      order_id: 'o-1',
      amount_minor: 1500,
      currency: 'JPY',
      locale: 'ja',
      customer_country: 'JP',
    });
    expect(detail).toMatchObject({ locale: 'ja', customer_country: 'JP' });
    expect(() =>
      parseDetail('PaymentCompleted', {
        order_id: 'o-1',
        amount_minor: 1500,
        currency: 'JPY',
        customer_country: 'jp',
      }),
    ).toThrow(EventValidationError);
  });
});
