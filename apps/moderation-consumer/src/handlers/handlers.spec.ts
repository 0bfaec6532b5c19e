import {
  parseDetail,
  type ModerationFlagged,
  type PaymentCompleted,
  type ReviewSubmitted,
} from '@manga-assist/event-schemas';
import { contentHash } from '../moderation/content';
import {
  context,
  counterValue,
  fakeReviews,
  recordingOutbound,
  recordingPublisher,
  scriptedModel,
  testMetrics,
} from '../test-support/fakes';
import { createModerationFlaggedHandler } from './moderation-flagged';
import { createPaymentCompletedHandler } from './payment-completed';
import { createReviewSubmittedHandler } from './review-submitted';

const review = (text: string): ReviewSubmitted =>
  parseDetail('ReviewSubmitted', { review_id: 'r-1', product_id: 'p-1', review_text: text, rating: 1 });

function reviewSetup(reply: (prompt: string) => string | Error) {
  const { registry, metrics } = testMetrics();
  const reviews = fakeReviews();
  const model = scriptedModel((req) => reply(req.prompt));
  const publisher = recordingPublisher();
  const handle = createReviewSubmittedHandler({
    model: model.port,
    reviews: reviews.port,
    publisher: publisher.port,
    metrics,
    failClosedAfterReceives: 3,
  });
  return { handle, registry, reviews, model, publisher };
}

describe('ReviewSubmitted handler', () => {
  it('stores a safe verdict as approved and publishes nothing', async () => {
    const s = reviewSetup(() => '{"safe":true,"severity":"none","categories":[],"reason":"fine"}');
    expect(await s.handle(context(review('最高の漫画でした')))).toBe('approved');
    expect(s.reviews.items.get('r-1')).toMatchObject({
      status: 'approved',
      moderation: { safe: true, verdict_source: 'model' },
    });
    expect(s.publisher.published).toEqual([]);
    expect(
      await counterValue(s.registry, 'moderation_verdicts_total', { severity: 'none', source: 'model' }),
    ).toBe(1);
  });

  it('flags an unsafe verdict: ModerationFlagged with hash, 200-grapheme preview, depth + 1, stage processed', async () => {
    const s = reviewSetup(
      () => '{"safe":false,"severity":"high","categories":["harassment"],"reason":"insults"}',
    );
    const text = `バカ ${'😡'.repeat(300)}`;
    expect(await s.handle(context(review(text), { depth: 1 }))).toBe('flagged');
    const [flag] = s.publisher.published;
    expect(flag).toMatchObject({
      review_id: 'r-1',
      severity: 'high',
      flagged_categories: ['harassment'],
      content_hash: contentHash(text),
      _chain_depth: 2,
      _source_event_id: 'evt-1',
      processing_stage: 'processed',
      needs_human_review: false,
    });
    expect([...new Intl.Segmenter().segment(flag.content_preview as string)]).toHaveLength(200);
    expect(s.reviews.items.get('r-1')?.status).toBe('flagged');
    expect(s.reviews.items.get('r-1')?.moderation?.flagged_event_id).toBe('flag-1');
  });

  it('fails closed on a non-JSON answer: needs_review, flagged medium for a human, counted', async () => {
    const s = reviewSetup(() => 'I think this review is probably fine.');
    expect(await s.handle(context(review('普通の感想です')))).toBe('fail_closed');
    expect(s.reviews.items.get('r-1')).toMatchObject({
      status: 'needs_review',
      moderation: {
        safe: false,
        verdict_source: 'fail_closed',
        fail_closed_reason: 'not_json',
        severity: 'medium',
      },
    });
    expect(s.publisher.published[0]).toMatchObject({
      severity: 'medium',
      flagged_categories: ['needs_human_review'],
      needs_human_review: true,
    });
    expect(await counterValue(s.registry, 'moderation_fail_closed_total', { reason: 'not_json' })).toBe(1);
  });

  it('lets a failing model retry through SQS, then fails closed from the configured receive', async () => {
    const s = reviewSetup(() => new Error('ThrottlingException'));
    await expect(s.handle(context(review('text'), { receiveCount: 1 }))).rejects.toThrow('Throttling');
    expect(s.reviews.items.size).toBe(0);
    expect(await s.handle(context(review('text'), { receiveCount: 3 }))).toBe('fail_closed');
    expect(s.reviews.items.get('r-1')?.moderation?.fail_closed_reason).toBe('model_error');
  });

  it('on redelivery does not ask the model again, but finishes an unpublished flag', async () => {
    const s = reviewSetup(
      () => '{"safe":false,"severity":"critical","categories":["violence"],"reason":"threat"}',
    );
    const failing = { ...s.publisher.port };
    let fail = true;
    const publisher = {
      publishModerationFlagged: async (d: Parameters<typeof failing.publishModerationFlagged>[0]) => {
        if (fail) throw new Error('EventBridge down');
        return failing.publishModerationFlagged(d);
      },
    };
    const { metrics } = testMetrics();
    const handle = createReviewSubmittedHandler({
      model: s.model.port,
      reviews: s.reviews.port,
      publisher,
      metrics,
      failClosedAfterReceives: 3,
    });
    await expect(handle(context(review('殺す')))).rejects.toThrow('EventBridge down');
    fail = false;
    expect(await handle(context(review('殺す'), { receiveCount: 2 }))).toBe('flagged');
    expect(await handle(context(review('殺す'), { receiveCount: 3 }))).toBe('duplicate');
    expect(s.model.calls).toHaveLength(1);
    expect(s.publisher.published).toHaveLength(1);
  });

  it('never un-hides a review hidden before the verdict arrived', async () => {
    const s = reviewSetup(() => '{"safe":true,"severity":"low","categories":[],"reason":"ok"}');
    await s.reviews.port.hide('r-1', { severity: 'high', categories: [], flaggedEventId: 'f', at: 'now' });
    await s.handle(context(review('text')));
    expect(s.reviews.items.get('r-1')?.status).toBe('hidden');
  });
});

const flag = (severity: string, extra: Record<string, unknown> = {}): ModerationFlagged =>
  parseDetail('ModerationFlagged', {
    review_id: 'r-9',
    content_hash: 'a'.repeat(64),
    content_preview: 'バカ',
    severity,
    flagged_categories: ['harassment'],
    model_id: 'haiku',
    _chain_depth: 1,
    ...extra,
  }) as ModerationFlagged;

describe('ModerationFlagged handler', () => {
  function setup() {
    const { registry, metrics } = testMetrics();
    const reviews = fakeReviews();
    const outbound = recordingOutbound();
    const handle = createModerationFlaggedHandler({
      reviews: reviews.port,
      outbound: outbound.port,
      metrics,
    });
    return { handle, registry, reviews, outbound };
  }

  it('hides the review and sends an alert whose webhook-id is derived from the event id', async () => {
    const s = setup();
    expect(await s.handle(context(flag('high')))).toBe('delivered');
    expect(s.reviews.items.get('r-9')?.status).toBe('hidden');
    expect(s.outbound.sent).toEqual([
      expect.objectContaining({
        target: 'alert',
        id: 'msg_evt-1',
        payload: expect.objectContaining({ severity: 'high', review_hidden: true }),
      }),
    ]);
    expect(await counterValue(s.registry, 'moderation_reviews_hidden_total', { severity: 'high' })).toBe(1);
  });

  it('a redelivered flag hides once and alerts again with the same webhook-id (receiver dedupes)', async () => {
    const s = setup();
    await s.handle(context(flag('critical')));
    await s.handle(context(flag('critical')));
    expect(await counterValue(s.registry, 'moderation_reviews_hidden_total')).toBe(1);
    expect(s.outbound.sent.map((x) => x.id)).toEqual(['msg_evt-1', 'msg_evt-1']);
  });

  it('ignores a low or medium flag that a misconfigured rule let through', async () => {
    const s = setup();
    expect(await s.handle(context(flag('low')))).toBe('ignored_severity');
    expect(s.reviews.items.size).toBe(0);
    expect(s.outbound.sent).toEqual([]);
  });
});

const payment = (amount_minor: number, currency = 'JPY'): PaymentCompleted =>
  parseDetail('PaymentCompleted', {
    order_id: 'ord-42',
    amount_minor,
    currency,
    items: [{ title: '呪術廻戦 1', qty: 2 }],
  }) as PaymentCompleted;

describe('PaymentCompleted handler', () => {
  function setup(reply: (prompt: string) => string | Error) {
    const { registry, metrics } = testMetrics();
    const model = scriptedModel((req) => reply(req.prompt));
    const outbound = recordingOutbound();
    const handle = createPaymentCompletedHandler({
      model: model.port,
      outbound: outbound.port,
      metrics,
      fallbackAfterReceives: 3,
    });
    return { handle, registry, model, outbound };
  }

  it('tells the model ¥1,500 (never ¥15) and delivers its text to the CRM', async () => {
    const s = setup(() => 'Thank you! Order ord-42 is confirmed, total ¥1,500.');
    expect(await s.handle(context(payment(1500)))).toBe('delivered');
    expect(s.model.calls[0].prompt).toContain('Amount: ¥1,500');
    expect(s.model.calls[0].prompt).not.toContain('¥15\n');
    expect(s.outbound.sent[0]).toMatchObject({
      target: 'crm',
      id: 'msg_evt-1',
      payload: { amount_display: '¥1,500', amount_minor: 1500, currency: 'JPY', generated_by: 'model' },
    });
  });

  it('replaces a text with a wrong total by the template, and counts it', async () => {
    const s = setup(() => 'Thanks! Your total is ¥15.');
    await s.handle(context(payment(1500)));
    expect(s.outbound.sent[0].payload).toMatchObject({ generated_by: 'template' });
    expect(s.outbound.sent[0].payload.message).toContain('¥1,500');
    expect(
      await counterValue(s.registry, 'moderation_confirmation_fallbacks_total', {
        reason: 'amount_mismatch',
      }),
    ).toBe(1);
  });

  it('retries a failing model through SQS, then sends the template', async () => {
    const s = setup(() => new Error('ModelTimeout'));
    await expect(s.handle(context(payment(999, 'USD')))).rejects.toThrow('ModelTimeout');
    expect(await s.handle(context(payment(999, 'USD'), { receiveCount: 3 }))).toBe('delivered');
    expect(s.outbound.sent[0].payload.message).toContain('$9.99');
  });
});
