import Stripe from 'stripe';
import { ConfigError, createLogger, createServiceRuntime } from '@manga-assist/service-runtime';
import { createIdempotencyStore } from '@manga-assist/idempotency-store';
import { loadWebhookReceiverConfig } from './config';
import { startWebhookReceiver } from './service';
import { signPartner, signStandardWebhook } from '@manga-assist/webhook-signatures';
import {
  checkoutCompleted,
  drainQueue,
  nowSeconds,
  SECRETS,
  sendPartner,
  sendStripe,
  startHarness,
  type Harness,
} from './test-support/harness';

describe('webhook-receiver service', () => {
  let h: Harness;
  let seq = 0;
  const uid = (label: string) => `${label}-${Date.now()}-${++seq}`;
  const moderationQueue = () => h.stack.queueUrls[h.stack.names.queues.moderation];
  const enrichmentQueue = () => h.stack.queueUrls[h.stack.names.queues.enrichment];
  const review = (id = uid('rev'), extra: Record<string, unknown> = {}) => ({
    review_id: id,
    product_id: 'manga-42',
    text: 'この漫画は最高でした。絵も話も素晴らしい！',
    rating: 5,
    customer_id: 'cust-1',
    ...extra,
  });
  const catalogItems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `vol-${i}`, title: `ワンピース ${i + 1}巻`, price: 528 }));

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());
  afterEach(async () => {
    h.bedrock.resetFaults();
    await drainQueue(h.stack, moderationQueue(), { idleReceives: 1 });
  });

  describe('operations', () => {
    it('answers /healthz, /readyz (table reachable) and /metrics', async () => {
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${h.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toContain('service="webhook-receiver"');
    });

    it('echoes a request id on every response', async () => {
      const res = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers.get('x-request-id')).toBe('abc-123');
    });

    it('rejects an invalid environment with one message naming every problem', () => {
      const bad = {
        PORT: 'eighty',
        DYNAMODB_ENDPOINT: 'not a url',
        WEBHOOK_SECRETS_STRIPE: 'a',
        WEBHOOK_SECRETS_REVIEWS: 'b',
      };
      try {
        loadWebhookReceiverConfig(bad);
        throw new Error('expected ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toHaveLength(3);
        expect((error as ConfigError).message).toMatch(
          /DYNAMODB_ENDPOINT[\s\S]*PORT[\s\S]*WEBHOOK_SECRETS_CATALOG/,
        );
      }
    });

    it('reports unready once shutdown has begun, then stops', async () => {
      const local = createServiceRuntime({
        service: 'webhook-receiver',
        logger: createLogger({ service: 'webhook-receiver', level: 'silent' }),
        exit: () => undefined,
        defaultMetrics: false,
      });
      const config = loadWebhookReceiverConfig({
        ...h.stack.env,
        PORT: '0',
        HOST: '127.0.0.1',
        WEBHOOK_SECRETS_STRIPE: 'a',
        WEBHOOK_SECRETS_REVIEWS: 'b',
        WEBHOOK_SECRETS_CATALOG: 'c',
      });
      const second = await startWebhookReceiver({ config, runtime: local });
      const code = await local.shutdown.trigger('SIGTERM');
      expect(code).toBe(0);
      await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
    });
  });

  describe('Stripe', () => {
    it('accepts an event signed by the stripe package and publishes PaymentCompleted with JPY ¥1,500 as 1500', async () => {
      const id = uid('evt');
      const res = await sendStripe(h.url, checkoutCompleted(id));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'processed',
        key: `stripe:${id}`,
        result: { amount_minor: 1500 },
      });
      const [event] = await drainQueue(h.stack, moderationQueue());
      expect(event).toMatchObject({
        source: 'mangaassist.webhooks',
        'detail-type': 'PaymentCompleted',
        detail: {
          order_id: `order-${id}`,
          amount_minor: 1500,
          amount: '1500',
          currency: 'JPY',
          processing_stage: 'raw',
        },
      });
    });

    it('accepts a signature by the previous secret during rotation', async () => {
      const res = await sendStripe(h.url, checkoutCompleted(uid('evt')), { secret: SECRETS.stripeOld });
      expect(res.status).toBe(200);
    });

    it('refuses with 401 when the signature header is missing, in the language asked for', async () => {
      const body = JSON.stringify(checkoutCompleted(uid('evt')));
      const res = await fetch(`${h.url}/webhooks/stripe`, {
        method: 'POST',
        body,
        headers: { 'accept-language': 'ja' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-language')).toBe('ja');
      expect(await res.json()).toMatchObject({
        error: { code: 'missing_signature', message: '署名ヘッダーがありません' },
      });
      const en = await fetch(`${h.url}/webhooks/stripe`, {
        method: 'POST',
        body,
        headers: { 'accept-language': 'en' },
      });
      expect(await en.json()).toMatchObject({
        error: { code: 'missing_signature', message: 'Missing signature headers' },
      });
    });

    it('refuses with 403 a changed body, a wrong secret and a stale t', async () => {
      const payload = checkoutCompleted(uid('evt'));
      const forged = await sendStripe(h.url, payload, { secret: 'whsec_attacker' });
      expect(forged.status).toBe(403);
      expect(forged.body).toMatchObject({ error: { code: 'invalid_signature' } });
      const stale = await sendStripe(h.url, payload, { timestamp: nowSeconds() - 301 });
      expect(stale.status).toBe(403);
      expect(stale.body).toMatchObject({ error: { code: 'stale_timestamp' } });

      const body = JSON.stringify(payload);
      const signed = await fetch(`${h.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'stripe-signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({
            payload: body,
            secret: SECRETS.stripe,
          }),
        },
        body: body.replace('1500', '15'),
      });
      expect(signed.status).toBe(403);
    });

    it('acknowledges other event types without publishing, and dedups them too', async () => {
      const id = uid('evt');
      const payload = { id, type: 'customer.created', data: { object: { id: 'cus_1' } } };
      const first = await sendStripe(h.url, payload);
      expect(first).toMatchObject({
        status: 200,
        body: { status: 'ignored', result: { ignored: true, type: 'customer.created' } },
      });
      const again = await sendStripe(h.url, payload);
      expect(again.body).toMatchObject({ status: 'already_processed' });
      expect(await drainQueue(h.stack, moderationQueue(), { idleReceives: 1 })).toHaveLength(0);
    });
  });

  describe('checks in order and their status codes', () => {
    it('404 for an unknown source', async () => {
      const res = await fetch(`${h.url}/webhooks/shopify`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_source' } });
    });

    it('401 when the partner timestamp header is missing (it is part of the signed content)', async () => {
      const res = await fetch(`${h.url}/webhooks/reviews`, {
        method: 'POST',
        headers: { 'x-webhook-signature': 'abcd' },
        body: JSON.stringify(review()),
      });
      expect(res.status).toBe(401);
    });

    it('403 for a replayed partner delivery with a fresh timestamp swapped in', async () => {
      const body = JSON.stringify(review());
      const oldTs = nowSeconds() - 3600;
      const res = await fetch(`${h.url}/webhooks/reviews`, {
        method: 'POST',
        headers: {
          'x-webhook-signature': signPartner(SECRETS.reviews, oldTs, body),
          'x-webhook-timestamp': String(nowSeconds()),
        },
        body,
      });
      expect(res.status).toBe(403);
    });

    it('400 for a signed body that is not JSON', async () => {
      const res = await sendPartner(h.url, 'reviews', undefined, { raw: '{"review_id": "r1",' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_json' } });
    });

    it('400 when the delivery id is missing (never a random fallback)', async () => {
      const { review_id: _drop, ...noId } = review();
      const res = await sendPartner(h.url, 'reviews', noId);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'missing_delivery_id' } });
    });

    it('413 for a signed, valid body over the size cap, and at once for one far over it', async () => {
      const big = review(uid('rev'), { text: 'あ'.repeat(90_000) }); // ~270 KB > 256 KiB
      const res = await sendPartner(h.url, 'reviews', big);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: { code: 'body_too_large' } });
      const huge = await fetch(`${h.url}/webhooks/reviews`, {
        method: 'POST',
        headers: { 'x-webhook-signature': 'ab', 'x-webhook-timestamp': String(nowSeconds()) },
        body: new Uint8Array(1_100_000).fill(0x20),
      });
      expect(huge.status).toBe(413);
    });

    it('413 for a catalog delivery over the item cap; 422 for an invalid payload', async () => {
      const tooMany = await sendPartner(h.url, 'catalog', {
        batch_id: uid('b'),
        type: 'new_release',
        items: catalogItems(501),
      });
      expect(tooMany.status).toBe(413);
      expect(tooMany.body).toMatchObject({ error: { code: 'too_many_items' } });
      const invalid = await sendPartner(h.url, 'reviews', review(uid('rev'), { rating: 9 }));
      expect(invalid.status).toBe(422);
    });

    it('409 while the same delivery is in progress elsewhere, with Retry-After', async () => {
      const id = uid('rev');
      const store = createIdempotencyStore({
        documentClient: h.stack.clients.documentClient,
        tableName: h.stack.names.tables.idempotency,
      });
      const held = await store.claim(`reviews:${id}`);
      expect(held.status).toBe('claimed');
      const res = await sendPartner(h.url, 'reviews', review(id));
      expect(res.status).toBe(409);
      // From how long processing really takes (well under a second here), not the claim's 60 s lifetime.
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(3);
      expect(res.body).toMatchObject({ error: { code: 'in_progress' } });
    });

    it('422 when a delivery id comes back with a different payload', async () => {
      const id = uid('rev');
      expect((await sendPartner(h.url, 'reviews', review(id))).status).toBe(200);
      const res = await sendPartner(h.url, 'reviews', review(id, { text: '別の内容' }));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: { code: 'payload_mismatch' } });
    });

    it('500 on a processing failure releases the claim, so the sender retry succeeds exactly once', async () => {
      const id = uid('evt');
      h.stack.router?.injectFailures({
        count: 1,
        errorCode: 'MalformedDetail',
        errorMessage: 'injected, not retryable',
      });
      const failed = await sendStripe(h.url, checkoutCompleted(id));
      expect(failed.status).toBe(500);
      expect(failed.body).toMatchObject({ error: { code: 'processing_failed' } });
      const retried = await sendStripe(h.url, checkoutCompleted(id));
      expect(retried).toMatchObject({ status: 200, body: { status: 'processed' } });
      const dup = await sendStripe(h.url, checkoutCompleted(id));
      expect(dup).toMatchObject({ status: 200, body: { status: 'already_processed' } });
      const events = await drainQueue(h.stack, moderationQueue());
      expect(
        events.filter((e) => (e.detail as { stripe_event_id?: string }).stripe_event_id === id),
      ).toHaveLength(1);
    });
  });

  describe('deterministic failures answer 4xx, never 500 forever', () => {
    it('a review carrying U+FFFF gets one 422 naming the field; the same delivery again gets the same 422; nothing reaches the queue', async () => {
      const payload = review(uid('rev-ffff'), { text: 'とても良い\uFFFF作品' });
      const first = await sendPartner(h.url, 'reviews', payload);
      const again = await sendPartner(h.url, 'reviews', payload);
      for (const res of [first, again]) {
        expect(res.status).toBe(422);
        expect(res.body.error).toMatchObject({
          code: 'undeliverable_content',
          detail: 'text contains U+FFFF',
        });
      }
      expect(again.body).toEqual(first.body);
      expect(await drainQueue(h.stack, moderationQueue(), { idleReceives: 1 })).toHaveLength(0);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(
        /webhook_deliveries_total\{source="reviews",outcome="undeliverable_content"[^}]*\} 2/,
      );
    });

    it('a catalog batch with one undeliverable title is refused whole, naming the item', async () => {
      const items = catalogItems(3);
      items[2].title = 'ワンピース\uFFFE';
      const res = await sendPartner(h.url, 'catalog', {
        batch_id: uid('cat-fffe'),
        type: 'new_release',
        items,
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        error: { code: 'undeliverable_content', detail: 'items[2].title contains U+FFFE' },
      });
    });
  });

  describe('configuration variants', () => {
    const startSecond = async (env: Record<string, string>) => {
      const local = createServiceRuntime({
        service: 'webhook-receiver',
        logger: createLogger({ service: 'webhook-receiver', level: 'silent' }),
        exit: () => undefined,
        defaultMetrics: false,
      });
      const config = loadWebhookReceiverConfig({
        ...h.stack.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SENTIMENT_ENABLED: 'false',
        ...env,
      });
      const service = await startWebhookReceiver({ config, runtime: local });
      return { url: service.url, stop: () => local.shutdown.trigger('test done') };
    };

    it('lets a source use Standard Webhooks, keyed by the webhook-id header', async () => {
      const secret = `whsec_${Buffer.from('catalog-standard-key-0123456789').toString('base64')}`;
      const second = await startSecond({
        WEBHOOK_SECRETS_STRIPE: 'a',
        WEBHOOK_SECRETS_REVIEWS: 'b',
        WEBHOOK_SECRETS_CATALOG: secret,
        WEBHOOK_SCHEME_CATALOG: 'standard',
      });
      try {
        const body = JSON.stringify({ batch_id: 'b-std', type: 'metadata_update', items: catalogItems(2) });
        const id = uid('msg');
        const ts = nowSeconds();
        const send = (signature: string) =>
          fetch(`${second.url}/webhooks/catalog`, {
            method: 'POST',
            headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature },
            body,
          });
        expect(
          (await send(signStandardWebhook('whsec_' + Buffer.from('wrong').toString('base64'), id, ts, body)))
            .status,
        ).toBe(403);
        const ok = await send(signStandardWebhook(secret, id, ts, body));
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ key: `catalog:${id}`, result: { published: 2 } });
        expect(await (await send(signStandardWebhook(secret, id, ts, body))).json()).toMatchObject({
          status: 'already_processed',
        });
        await drainQueue(h.stack, enrichmentQueue(), { idleReceives: 1 });
      } finally {
        await second.stop();
      }
    });

    it('503 with Retry-After when the signing secrets cannot be read', async () => {
      const second = await startSecond({
        WEBHOOK_SECRETS_ARN: 'webhooks',
        SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:9',
      });
      try {
        const res = await sendPartner(second.url, 'reviews', review());
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('30');
        expect(res.body).toMatchObject({ error: { code: 'unavailable' } });
      } finally {
        await second.stop();
      }
    });
  });

  describe('reviews', () => {
    it('publishes ReviewSubmitted with the model sentiment when it answers in time', async () => {
      const id = uid('rev');
      const res = await sendPartner(h.url, 'reviews', review(id));
      expect(res.status).toBe(200);
      const [event] = await drainQueue(h.stack, moderationQueue());
      expect(event).toMatchObject({
        'detail-type': 'ReviewSubmitted',
        detail: { review_id: id, processing_stage: 'raw' },
      });
      expect(['positive', 'negative', 'neutral']).toContain(
        (event.detail as { ai_sentiment: string }).ai_sentiment,
      );
    });

    it('answers 200 with sentiment unknown while the model hangs, well before any other timeout', async () => {
      h.bedrock.setFaults({ hangRate: 1 });
      const id = uid('rev');
      const started = Date.now();
      const res = await sendPartner(h.url, 'reviews', review(id));
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ result: { sentiment: 'unknown' } });
      expect(elapsed).toBeLessThan(10_000); // the 800 ms sentiment deadline, with room for a loaded machine
      const [event] = await drainQueue(h.stack, moderationQueue());
      expect(event).toMatchObject({ detail: { review_id: id, ai_sentiment: 'unknown' } });
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/webhook_review_sentiment_total\{outcome="timeout"[^}]*\} [1-9]/);
    });
  });

  describe('catalog', () => {
    it('publishes 35 items as 35 events in 4 PutEvents calls, retrying the one failed entry', async () => {
      const batch = uid('batch');
      const router = h.stack.router;
      if (!router) throw new Error('the local stack runs without the EventBridge router');
      const callsBefore = router.stats.putEventsCalls;
      // EventBridge answers one entry (vol-17) as InternalFailure: only that entry is resent.
      router.injectFailures({
        count: 1,
        errorCode: 'InternalFailure',
        match: (entry) => String(entry.Detail).includes('"product_id":"vol-17"'),
      });
      const res = await sendPartner(h.url, 'catalog', {
        batch_id: batch,
        type: 'new_release',
        items: catalogItems(35),
      });
      expect(res).toMatchObject({ status: 200, body: { status: 'processed', result: { published: 35 } } });
      // 4 chunks (10+10+10+5), then 1 call carrying only the failed entry.
      expect(router.stats.putEventsCalls - callsBefore).toBe(5);
      const events = await drainQueue(h.stack, enrichmentQueue());
      const products = events
        .filter((e) => (e.detail as { batch_id?: string }).batch_id === batch)
        .map((e) => (e.detail as { product_id: string }).product_id);
      expect(products).toHaveLength(35);
      expect(new Set(products).size).toBe(35);
      expect(events[0]).toMatchObject({
        'detail-type': 'CatalogUpdate.new_release',
        detail: { processing_stage: 'raw' },
      });
    });
  });

  it('counts deliveries by source and outcome, signature failures and duplicates', async () => {
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/webhook_deliveries_total\{source="stripe",outcome="processed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(
      /webhook_signature_failures_total\{source="stripe",reason="bad_signature"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/webhook_duplicates_total\{source="stripe",state="completed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(
      /webhook_processing_seconds_count\{[^}]*source="catalog",outcome="processed"[^}]*\} [1-9]/,
    );
  });
});
