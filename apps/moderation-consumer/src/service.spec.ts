import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { startEventBridgeRouter, type EventBridgeRouter } from '@manga-assist/eventbridge-router';
import {
  createEventPublisher,
  DETAIL_TYPES,
  EVENT_SOURCES,
  withChainMetadata,
  type InferenceCompleted,
} from '@manga-assist/event-schemas';
import { ConfigError, createLogger, createServiceRuntime } from '@manga-assist/service-runtime';
import { createAwsClients } from '@manga-assist/aws-clients';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { createDevTokenIssuer, STAFF_ROLE } from '@manga-assist/identity';
import { createContractValidator } from '@manga-assist/contract-testing';
import { loadModerationConsumerConfig } from './config';
import { startModerationConsumer, type ModerationConsumer } from './service';
import { moderationConsumerOpenApi } from './openapi';
import { startWebhookTestServer, type WebhookTestServer } from './test-support/webhook-server';
import {
  ALERT_SECRET,
  busPublisher,
  createQueue,
  CRM_SECRET,
  envelope,
  getReview,
  metric,
  receiveAll,
  sendRaw,
  waitFor,
} from './test-support/harness';
import type { Route } from './dispatcher';

const silent = () => createLogger({ service: 'moderation-consumer', level: 'silent' });
const STAFF_SECRET = 'moderation-test-secret-0123456789abcdef';
const tokenFor = async (userId: string, roles: string[]) =>
  (
    await createDevTokenIssuer({
      secret: STAFF_SECRET,
      issuer: 'manga-assist',
      audience: 'manga-assist-chat',
    }).issue(userId, 600, roles)
  ).token;

describe('moderation-consumer against the local stack (dynalite, fauxqs, EventBridge router, Bedrock emulator)', () => {
  let stack: LocalStack;
  let alerts: WebhookTestServer;
  let crm: WebhookTestServer;
  let service: ModerationConsumer;
  let outboundDlqUrl: string;
  let loopRouter: EventBridgeRouter;
  let loopPublisher: ReturnType<typeof createEventPublisher>;
  let publish: ReturnType<typeof busPublisher>;
  let env: Record<string, string>;
  const runtime = createServiceRuntime({
    service: 'moderation-consumer',
    logger: silent(),
    exit: () => undefined,
    defaultMetrics: false,
  });
  const registry = runtime.registry;
  const reviewsTable = () => stack.names.tables.reviews;
  const router = () => {
    if (!stack.router) throw new Error('the local stack started without its EventBridge router');
    return stack.router;
  };
  const moderationQueue = () => stack.queueUrls[stack.names.queues.moderation];

  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: true, maxReceiveCount: 3, redis: false });
    outboundDlqUrl = await createQueue(
      stack.clients.sqs,
      `moderation-outbound-dlq-${randomUUID().slice(0, 8)}`,
    );
    alerts = await startWebhookTestServer(ALERT_SECRET);
    crm = await startWebhookTestServer(CRM_SECRET);
    // A deliberately self-triggering rule: every InferenceCompleted from the AI source goes back to
    // the moderation queue, with no depth filter. Only the consumer's own guard can stop the loop.
    loopRouter = await startEventBridgeRouter({ sqs: stack.clients.sqs, queueUrls: stack.queueUrls });
    const loopClients = createAwsClients({
      region: 'us-east-1',
      endpoints: { eventbridge: loopRouter.url },
      maxSockets: 4,
    });
    const bus = stack.names.eventBusName;
    await loopClients.eventBridge.send(new CreateEventBusCommand({ Name: bus }));
    await loopClients.eventBridge.send(
      new PutRuleCommand({
        Name: 'self-trigger',
        Description: 'test: loops InferenceCompleted back into the consumer',
        EventBusName: bus,
        EventPattern: JSON.stringify({
          source: [EVENT_SOURCES.ai],
          'detail-type': [DETAIL_TYPES.InferenceCompleted],
        }),
      }),
    );
    await loopClients.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'self-trigger',
        EventBusName: bus,
        Targets: [
          { Id: 'moderation', Arn: `arn:aws:sqs:us-east-1:000000000000:${stack.names.queues.moderation}` },
        ],
      }),
    );
    loopPublisher = createEventPublisher({
      client: loopClients.eventBridge,
      eventBusName: stack.names.eventBusName,
    });
    const echoRoute: Route = {
      detailType: DETAIL_TYPES.InferenceCompleted,
      acceptOwnSource: true,
      stages: ['completed', 'processed'],
      handle: async (ctx) => {
        const detail = ctx.detail as InferenceCompleted;
        await loopPublisher.publish([
          {
            detailType: DETAIL_TYPES.InferenceCompleted,
            detail: withChainMetadata(
              { ...detail },
              { parentDepth: ctx.depth, sourceEventId: ctx.envelope.id },
            ),
          },
        ]);
        return 'echoed';
      },
    };

    env = {
      ...stack.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ALERT_WEBHOOK_URL: alerts.url,
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      CRM_WEBHOOK_URL: crm.url,
      CRM_WEBHOOK_SECRET: CRM_SECRET,
      OUTBOUND_DLQ: outboundDlqUrl,
      OUTBOUND_MAX_ATTEMPTS: '4',
      OUTBOUND_BASE_DELAY_MS: '40',
      OUTBOUND_MAX_DELAY_MS: '400',
      RECEIVE_WAIT_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '30',
      FM_CACHE_ENABLED: 'false',
      AUTH_JWT_SECRET: STAFF_SECRET,
    };
    const config = loadModerationConsumerConfig(env);
    service = await startModerationConsumer({ config, runtime, extraRoutes: () => [echoRoute] });
    runtime.shutdown.register('loop-clients', () => loopClients.destroy());
    publish = busPublisher(stack.clients, stack.names.eventBusName);
  });

  afterAll(async () => {
    await runtime.shutdown.trigger('test done');
    await loopRouter?.stop();
    await alerts?.close();
    await crm?.close();
    await stack?.stop();
  });

  const review = (text: string, extra: Record<string, unknown> = {}) => ({
    review_id: `rev-${randomUUID().slice(0, 8)}`,
    product_id: 'manga-001',
    review_text: text,
    rating: 1,
    ...extra,
  });

  it('answers /healthz, /readyz (queue, outbound DLQ, Reviews table, consumer running), /metrics and /stats', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    const report = await ready.json();
    expect(ready.status).toBe(200);
    expect(report.status).toBe('ok');
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['consumer', `dynamodb:${reviewsTable()}`]),
    );
    expect(await (await fetch(`${service.url}/metrics`)).text()).toContain('moderation_events_total');
    expect(await (await fetch(`${service.url}/stats`)).json()).toMatchObject({ running: true });
  });

  it('review event -> router -> consumer -> safe verdict stored on the review', async () => {
    const detail = review('絵が綺麗で最高の漫画でした。続きが楽しみです！', { rating: 5 });
    await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
    const item = await waitFor(
      async () => (await getReview(stack.clients, reviewsTable(), detail.review_id)) ?? false,
      'verdict',
    );
    expect(item).toMatchObject({
      reviewId: detail.review_id,
      status: 'approved',
      moderation: { safe: true, severity: 'none', verdict_source: 'model' },
    });
  });

  it('abusive review -> ModerationFlagged high -> router -> review hidden and a signed alert verified by the receiver', async () => {
    const before = alerts.received.length;
    const detail = review('この作者はバカだ。金返せ、クソ漫画。');
    const reviewEventId = await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
    const item = await waitFor(async () => {
      const it = await getReview(stack.clients, reviewsTable(), detail.review_id);
      return it?.status === 'hidden' && it;
    }, 'review hidden');
    expect(item.moderation).toMatchObject({ safe: false, severity: 'high' });
    expect(item.hiddenBy).toMatchObject({ severity: 'high' });

    const flag = router()
      .archived()
      .find(
        (e) =>
          e['detail-type'] === 'ModerationFlagged' &&
          (e.detail as { review_id?: string }).review_id === detail.review_id,
      );
    expect(flag).toMatchObject({
      source: 'mangaassist.ai',
      detail: {
        severity: 'high',
        processing_stage: 'processed',
        _chain_depth: 1,
        _source_event_id: reviewEventId,
      },
    });

    const [alert] = (await alerts.waitFor(before + 1)).slice(before);
    expect(alert.verification).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(alert.headers['webhook-id']).toBe(`msg_${flag?.id}`);
    expect(alert.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(alert.json).toMatchObject({
      type: 'moderation.alert',
      review_id: detail.review_id,
      severity: 'high',
      review_hidden: true,
      content_preview: detail.review_text,
    });
  });

  it('a moderation answer that is not valid JSON fails closed: needs_review, flagged medium for a human, counted', async () => {
    const failClosedBefore = await metric(registry, 'moderation_fail_closed_total', { reason: 'not_json' });
    // The emulator answers with exactly the forced text: not JSON.
    const detail = review('普通の感想です。[[emulator:reply=I think this review is fine, no JSON from me.]]');
    await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
    const item = await waitFor(
      async () => (await getReview(stack.clients, reviewsTable(), detail.review_id)) ?? false,
      'verdict',
    );
    expect(item).toMatchObject({
      status: 'needs_review',
      moderation: {
        safe: false,
        severity: 'medium',
        verdict_source: 'fail_closed',
        fail_closed_reason: 'not_json',
      },
    });
    expect(await metric(registry, 'moderation_fail_closed_total', { reason: 'not_json' })).toBe(
      failClosedBefore + 1,
    );
    const flag = await waitFor(
      async () =>
        router()
          .archived()
          .find(
            (e) =>
              e['detail-type'] === 'ModerationFlagged' &&
              (e.detail as { review_id?: string }).review_id === detail.review_id,
          ),
      'fail-closed flag on the bus',
    );
    expect(flag.detail).toMatchObject({
      severity: 'medium',
      flagged_categories: ['needs_human_review'],
      needs_human_review: true,
    });
  });

  it('human review: a needs_review review is listed, approved by staff it becomes visible, ReviewDecided on the bus; without the role 403', async () => {
    const detail = review('普通の感想です。[[emulator:reply=not json at all]]');
    await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
    await waitFor(
      async () =>
        (await getReview(stack.clients, reviewsTable(), detail.review_id))?.status === 'needs_review',
      'needs_review',
    );
    // Every admin answer is checked against the consumer's OpenAPI document.
    const contract = createContractValidator(moderationConsumerOpenApi());
    const admin = async (path: string, token: string, body?: unknown) => {
      const res = await fetch(`${service.url}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'accept-language': 'en',
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      contract.check({
        method: body ? 'POST' : 'GET',
        path,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: await res.clone().json(),
      });
      return res;
    };
    const staff = await tokenFor('staff-kana', [STAFF_ROLE]);
    const customer = await tokenFor('customer-1', []);

    const listed = (await (await admin('/admin/reviews?limit=200', staff)).json()) as {
      reviews: {
        reviewId: string;
        status: string;
        visible: boolean;
        moderation: { content_preview: string };
      }[];
    };
    expect(listed.reviews.find((r) => r.reviewId === detail.review_id)).toMatchObject({
      status: 'needs_review',
      visible: false,
      moderation: { content_preview: detail.review_text },
    });

    const path = `/admin/reviews/${detail.review_id}/decision`;
    const forbidden = await admin(path, customer, { decision: 'approve' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'This operation requires the staff role.' },
    });
    expect((await getReview(stack.clients, reviewsTable(), detail.review_id))?.status).toBe('needs_review');

    const approved = await admin(path, staff, { decision: 'approve', note: 'harmless' });
    expect(approved.status).toBe(200);
    const body = (await approved.json()) as { review: Record<string, any> };
    expect(body.review).toMatchObject({ reviewId: detail.review_id, status: 'approved', visible: true });
    const stored = await getReview(stack.clients, reviewsTable(), detail.review_id);
    expect(stored).toMatchObject({
      status: 'approved',
      review_decision: {
        decision: 'approve',
        decided_by: 'staff-kana',
        previous_status: 'needs_review',
        note: 'harmless',
        decided_at: expect.stringMatching(/^\d{4}-/),
        event_id: expect.any(String),
      },
    });
    const event = await waitFor(
      async () =>
        router()
          .archived()
          .find(
            (e) =>
              e['detail-type'] === 'ReviewDecided' &&
              (e.detail as { review_id?: string }).review_id === detail.review_id,
          ),
      'ReviewDecided on the bus',
    );
    expect(event.source).toBe('mangaassist.staff');
    expect(event.detail).toMatchObject({
      decision: 'approve',
      status: 'approved',
      decided_by: 'staff-kana',
      previous_status: 'needs_review',
    });

    // Repeating the same decision is harmless; the opposite one is a conflict; the list no longer has it.
    expect((await admin(path, staff, { decision: 'approve' })).status).toBe(200);
    expect((await admin(path, staff, { decision: 'reject' })).status).toBe(409);
    const after = (await (await admin('/admin/reviews?limit=200', staff)).json()) as {
      reviews: { reviewId: string }[];
    };
    expect(after.reviews.some((r) => r.reviewId === detail.review_id)).toBe(false);
    expect((await admin('/admin/reviews/nope/decision', staff, { decision: 'reject' })).status).toBe(404);
    expect((await fetch(`${service.url}/admin/reviews`)).status).toBe(401);
  });

  it('human review: rejecting a hidden review keeps it hidden; a redelivered flag for the same verdict never undoes an approval', async () => {
    const staff = await tokenFor('staff-2', [STAFF_ROLE]);
    const decide = (reviewId: string, decision: string) =>
      fetch(`${service.url}/admin/reviews/${reviewId}/decision`, {
        method: 'POST',
        headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision }),
      });
    const hiddenReview = async () => {
      const detail = review('この作者はバカだ。クソ漫画。');
      await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
      await waitFor(
        async () => (await getReview(stack.clients, reviewsTable(), detail.review_id))?.status === 'hidden',
        'hidden',
      );
      return detail.review_id;
    };

    const rejected = await hiddenReview();
    expect((await decide(rejected, 'reject')).status).toBe(200);
    expect(await getReview(stack.clients, reviewsTable(), rejected)).toMatchObject({
      status: 'hidden',
      review_decision: { decision: 'reject', decided_by: 'staff-2', previous_status: 'hidden' },
    });

    const approved = await hiddenReview();
    expect((await decide(approved, 'approve')).status).toBe(200);
    const flag = router()
      .archived()
      .find(
        (e) =>
          e['detail-type'] === 'ModerationFlagged' &&
          (e.detail as { review_id?: string }).review_id === approved,
      );
    const alertsBefore = alerts.received.length;
    await sendRaw(stack.clients.sqs, moderationQueue(), flag); // SQS redelivers the same flag
    await alerts.waitFor(alertsBefore + 1);
    expect((await getReview(stack.clients, reviewsTable(), approved))?.status).toBe('approved');
  });

  it('a flagged `low` event published on the bus never reaches the consumer (the rule filters it)', async () => {
    const reviewId = `rev-low-${randomUUID().slice(0, 8)}`;
    const sentinelId = `rev-sentinel-${randomUUID().slice(0, 8)}`;
    const flagged = (id: string, severity: 'low' | 'high') => ({
      review_id: id,
      content_hash: 'b'.repeat(64),
      content_preview: 'spoiler',
      severity,
      flagged_categories: ['spoiler'],
      model_id: 'haiku',
      processing_stage: 'processed' as const,
      _chain_depth: 1,
    });
    const flaggedBefore = await metric(registry, 'moderation_events_total', {
      detail_type: 'ModerationFlagged',
    });
    const lowId = await publish({
      detailType: DETAIL_TYPES.ModerationFlagged,
      detail: flagged(reviewId, 'low'),
    });
    await publish({ detailType: DETAIL_TYPES.ModerationFlagged, detail: flagged(sentinelId, 'high') });
    await waitFor(
      async () => (await getReview(stack.clients, reviewsTable(), sentinelId))?.status === 'hidden',
      'sentinel hidden',
    );

    expect(
      router()
        .archived()
        .some((e) => e.id === lowId),
    ).toBe(true); // accepted by the bus...
    expect(await getReview(stack.clients, reviewsTable(), reviewId)).toBeUndefined(); // ...never acted on
    expect(await metric(registry, 'moderation_events_total', { detail_type: 'ModerationFlagged' })).toBe(
      flaggedBefore + 1,
    );
    expect(alerts.received.some((r) => (r.json as { review_id?: string }).review_id === reviewId)).toBe(
      false,
    );
  });

  it('an event at chain depth 3 is rejected and counted (and the router would not even deliver it)', async () => {
    const rejectedBefore = await metric(registry, 'moderation_loop_rejections_total', {
      reason: 'chain_depth',
    });
    const reviewId = `rev-deep-${randomUUID().slice(0, 8)}`;
    const detail = {
      review_id: reviewId,
      content_hash: 'c'.repeat(64),
      content_preview: 'x',
      severity: 'critical',
      flagged_categories: ['violence'],
      model_id: 'haiku',
      processing_stage: 'processed',
      _chain_depth: 3,
    };
    // Straight onto the queue, as a misconfigured rule without the depth filter would deliver it.
    await sendRaw(
      stack.clients.sqs,
      moderationQueue(),
      envelope('ModerationFlagged', EVENT_SOURCES.ai, detail),
    );
    await waitFor(
      async () =>
        (await metric(registry, 'moderation_loop_rejections_total', { reason: 'chain_depth' })) ===
        rejectedBefore + 1,
      'loop rejection',
    );
    expect(await getReview(stack.clients, reviewsTable(), reviewId)).toBeUndefined();
    expect(alerts.received.some((r) => (r.json as { review_id?: string }).review_id === reviewId)).toBe(
      false,
    );

    const deliveriesBefore = router().stats.deliveries;
    await publish({ detailType: DETAIL_TYPES.ModerationFlagged, detail: detail as never });
    expect(router().stats.deliveries).toBe(deliveriesBefore);
  });

  it('a deliberately self-triggering rule stops at the depth limit', async () => {
    const echoed = () =>
      metric(registry, 'moderation_events_total', { detail_type: 'InferenceCompleted', outcome: 'echoed' });
    const rejected = () =>
      metric(registry, 'moderation_loop_rejections_total', {
        reason: 'chain_depth',
        detail_type: 'InferenceCompleted',
      });
    await loopPublisher.publish([
      {
        detailType: DETAIL_TYPES.InferenceCompleted,
        detail: {
          session_id: `s-${randomUUID().slice(0, 8)}`,
          model_id: 'haiku',
          status: 'success',
          metrics: { input_tokens: 1, output_tokens: 1, latency_ms: 1, estimated_cost_usd: 0 },
        },
      },
    ]);
    await waitFor(async () => (await rejected()) === 1, 'the loop to hit the depth guard');
    await new Promise((r) => setTimeout(r, 1500)); // nothing further happens
    expect(await echoed()).toBe(3); // depths 0, 1, 2 handled
    expect(await rejected()).toBe(1); // depth 3 rejected: the loop is over
    expect(loopRouter.stats.accepted).toBe(4);
  });

  it('alert endpoint down: retries with exponential backoff, then the outbound DLQ keeps the alert', async () => {
    alerts.respondWith(503);
    try {
      const before = alerts.received.length;
      const retriesBefore = await metric(registry, 'moderation_outbound_retries_total', { target: 'alert' });
      const detail = review('お前は本当にバカだな');
      await publish({ detailType: DETAIL_TYPES.ReviewSubmitted, detail });
      const [record] = await waitFor(async () => {
        const msgs = await receiveAll(stack.clients.sqs, outboundDlqUrl);
        return msgs.length > 0 && msgs;
      }, 'alert in the outbound DLQ');
      const body = JSON.parse(record.Body as string);
      expect(body).toMatchObject({
        kind: 'outbound_webhook',
        target: 'alert',
        attempts: 4,
        permanent: false,
        last_status: 503,
        payload: { type: 'moderation.alert', review_id: detail.review_id, severity: 'high' },
      });
      expect(record.MessageAttributes?.target?.StringValue).toBe('alert');

      const tries = alerts.received
        .slice(before)
        .filter((r) => (r.json as { review_id?: string }).review_id === detail.review_id);
      expect(tries).toHaveLength(4);
      expect(new Set(tries.map((t) => t.headers['webhook-id'])).size).toBe(1);
      expect(tries.every((t) => t.verification.ok)).toBe(true);
      const gaps = tries.slice(1).map((t, i) => t.at - tries[i].at);
      // Equal jitter: each wait is at least half of 40 ms * 2^(n-1).
      expect(gaps[0]).toBeGreaterThanOrEqual(20);
      expect(gaps[1]).toBeGreaterThanOrEqual(40);
      expect(gaps[2]).toBeGreaterThanOrEqual(80);
      expect(await metric(registry, 'moderation_outbound_retries_total', { target: 'alert' })).toBe(
        retriesBefore + 3,
      );
      expect(
        await metric(registry, 'moderation_outbound_deliveries_total', {
          target: 'alert',
          outcome: 'dead_lettered',
        }),
      ).toBeGreaterThanOrEqual(1);
      // The review was still hidden: the alert failing does not undo the moderation.
      expect((await getReview(stack.clients, reviewsTable(), detail.review_id))?.status).toBe('hidden');
    } finally {
      alerts.respondWith(204);
    }
  });

  it('PaymentCompleted for ¥1,500 -> a signed confirmation mentioning ¥1,500 reaches the CRM', async () => {
    const before = crm.received.length;
    const orderId = `ord-${randomUUID().slice(0, 8)}`;
    await publish({
      detailType: DETAIL_TYPES.PaymentCompleted,
      detail: {
        order_id: orderId,
        amount_minor: 1500,
        currency: 'JPY',
        items: [{ title: 'ワンピース 107', qty: 3 }],
      },
    });
    const [delivery] = (await crm.waitFor(before + 1)).slice(before);
    expect(delivery.verification).toEqual({ ok: true, timestamp: expect.any(Number) });
    const payload = delivery.json as {
      message: string;
      amount_display: string;
      order_id: string;
      generated_by: string;
    };
    expect(payload).toMatchObject({ order_id: orderId, amount_display: '¥1,500', generated_by: 'model' });
    expect(payload.message).toContain('¥1,500');
    expect(payload.message).not.toMatch(/¥15(?![,\d])/);
    // No locale, no country: the yen decides Japanese.
    expect(payload).toMatchObject({ language: 'ja' });
    expect(payload.message).toMatch(/ご注文/);
  });

  it('writes the confirmation in the checkout locale: en-GB in euros -> English with €9.99', async () => {
    const before = crm.received.length;
    const orderId = `ord-${randomUUID().slice(0, 8)}`;
    await publish({
      detailType: DETAIL_TYPES.PaymentCompleted,
      detail: {
        order_id: orderId,
        amount_minor: 999,
        currency: 'EUR',
        locale: 'en-GB',
        customer_country: 'DE',
        items: [{ title: 'Frieren 1', qty: 1 }],
      },
    });
    const [delivery] = (await crm.waitFor(before + 1)).slice(before);
    const payload = delivery.json as { message: string; amount_display: string; language: string };
    expect(payload).toMatchObject({ amount_display: '€9.99', language: 'en' });
    expect(payload.message).toContain('€9.99');
    expect(payload.message).not.toMatch(/[\u3040-\u309f]/);
  });

  it('unknown detail types are logged, counted and deleted; non-events go to the DLQ with the reason', async () => {
    const unhandledBefore = await metric(registry, 'moderation_events_total', {
      detail_type: 'unknown',
      outcome: 'unhandled',
    });
    await sendRaw(
      stack.clients.sqs,
      moderationQueue(),
      envelope('Shipment.Dispatched', 'mangaassist.logistics', { id: 1 }),
    );
    await waitFor(
      async () =>
        (await metric(registry, 'moderation_events_total', {
          detail_type: 'unknown',
          outcome: 'unhandled',
        })) ===
        unhandledBefore + 1,
      'unknown type counted',
    );

    await sendRaw(stack.clients.sqs, moderationQueue(), '{"not": "an event"');
    const dlq = stack.queueUrls[stack.names.queues.moderationDlq];
    const [dead] = await waitFor(async () => {
      const msgs = await receiveAll(stack.clients.sqs, dlq);
      return msgs.length > 0 && msgs;
    }, 'poison message in the DLQ');
    expect(dead.Body).toBe('{"not": "an event"');
  });

  it('rejects an invalid environment naming every problem', () => {
    const bad = { ...env, ALERT_WEBHOOK_SECRET: 'plain', CRM_WEBHOOK_URL: 'nope' };
    expect(() => loadModerationConsumerConfig(bad)).toThrow(ConfigError);
    try {
      loadModerationConsumerConfig(bad);
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /ALERT_WEBHOOK_SECRET[\s\S]*CRM_WEBHOOK_URL/,
      );
    }
  });

  it('on SIGTERM reports unready, drains, and stops', async () => {
    const local = createServiceRuntime({
      service: 'moderation-consumer',
      logger: silent(),
      exit: () => undefined,
      defaultMetrics: false,
    });
    const second = await startModerationConsumer({
      config: loadModerationConsumerConfig(env),
      runtime: local,
    });
    expect(second.stats().running).toBe(true);
    const code = await local.shutdown.trigger('SIGTERM');
    expect(code).toBe(0);
    expect(second.stats().running).toBe(false);
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
  });
});
