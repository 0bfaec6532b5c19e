import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  freePort,
  LOCAL_OUTBOUND_SECRET,
  localPorts,
  localServices,
  startLocalStack,
  startTraceCollector,
  startWebhookSink,
  type LocalPorts,
  type LocalStack,
  type StoredSpan,
  type TraceCollector,
  type WebhookSink,
} from '@manga-assist/local-stack';
import { standardWebhookHeaders } from '@manga-assist/webhook-signatures';

// Issue 13 acceptance: one user action -> one trace, across the four services running as their
// built bundles (dist/apps/<app>/main.js: what the images ship, so instrumentation is proved where
// require hooks cannot reach), the local EventBridge router, the SQS emulator and the OTLP receiver.
const root = resolve(__dirname, '../../..');
const APPS = ['chat-gateway', 'webhook-receiver', 'enrichment-worker', 'moderation-consumer'] as const;
const REVIEWS_SECRET = `whsec_${Buffer.from('trace-test-reviews-signing-key!!').toString('base64')}`;

jest.setTimeout(180_000);

async function waitReady(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: exited ${child.exitCode}\n${output()}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready in 60 s\n${output()}`);
}

describe('one trace per user action (tracing on, services as built bundles)', () => {
  let stack: LocalStack;
  let collector: TraceCollector;
  let sink: WebhookSink;
  let ports: LocalPorts;
  const children: ChildProcess[] = [];
  const logs: Record<string, string> = {};
  const url = (app: (typeof APPS)[number]) => `http://127.0.0.1:${ports[app]}`;

  beforeAll(async () => {
    for (const app of APPS) {
      const bundle = join(root, 'dist', 'apps', app, 'main.js');
      if (!existsSync(bundle)) throw new Error(`${bundle} missing: build first (nx run-many -t build)`);
    }
    stack = await startLocalStack({ bedrock: { profile: 'zero' } });
    collector = await startTraceCollector();
    sink = await startWebhookSink({ secret: LOCAL_OUTBOUND_SECRET });
    ports = { ...localPorts(0), traces: collector.port, 'webhook-sink': sink.port };
    for (const app of APPS) ports[app] = await freePort();

    for (const service of localServices(root, ports)) {
      const env: Record<string, string | undefined> = {
        PATH: process.env.PATH,
        ...stack.env,
        ...service.env,
        PORT: String(service.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        REDIS_KEY_PREFIX: `trace-test-${randomUUID().slice(0, 8)}:`,
        RECEIVE_WAIT_SECONDS: '1',
        WEBHOOK_SCHEME_REVIEWS: 'standard',
        WEBHOOK_SECRETS_REVIEWS: REVIEWS_SECRET,
      };
      const child = spawn(process.execPath, [join(root, 'dist', 'apps', service.name, 'main.js')], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      logs[service.name] = '';
      child.stdout?.on('data', (d: Buffer) => (logs[service.name] += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (logs[service.name] += d.toString()));
      children.push(child);
    }
    await Promise.all(APPS.map((app, i) => waitReady(url(app), children[i], () => logs[app].slice(-3000))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null) return done();
            c.once('exit', () => done());
            c.kill('SIGTERM');
          }),
      ),
    );
    await sink?.stop();
    await collector?.stop();
    await stack?.stop();
  });

  const names = (spans: StoredSpan[]) => spans.map((s) => `${s.service}:${s.name}`);
  const has = (spans: StoredSpan[], service: string, name: string | RegExp) =>
    spans.some(
      (s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)),
    );

  const rootsOf = (spans: StoredSpan[]) => {
    const ids = new Set(spans.map((s) => s.spanId));
    return spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  };
  // Spans arrive in export batches, a parent often after its children: wait for a whole tree.
  const whole = (spans: StoredSpan[]) => rootsOf(spans).length === 1;
  /** Every span but the root has its parent in the same trace: one tree, no orphans. */
  function expectOneTree(spans: StoredSpan[]) {
    expect(rootsOf(spans).map((r) => `${r.service}:${r.name}`)).toHaveLength(1);
  }

  async function traceWithRoot(service: string, root: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = collector.store
        .list(500)
        .find(
          (t) =>
            t.rootService === service && (typeof root === 'string' ? t.root === root : root.test(t.root)),
        );
      if (found) return found.traceId;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `no trace rooted at ${service} ${root}; traces: ${JSON.stringify(collector.store.list(20))}`,
    );
  }

  it('a chat message over WebSocket is one trace: request, validation, model stream, session write, event publishes', async () => {
    const { token } = (await (
      await fetch(`${url('chat-gateway')}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'trace-user-1' }),
      })
    ).json()) as { token: string };
    const ws = new WebSocket(`ws://127.0.0.1:${ports['chat-gateway']}/v1/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise((done, fail) => (ws.once('open', done), ws.once('error', fail)));
    const final = new Promise<Record<string, unknown>>((done, fail) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type === 'final') done(frame);
        if (frame.type === 'error') fail(new Error(JSON.stringify(frame)));
      });
    });
    ws.send(
      JSON.stringify({ action: 'sendMessage', id: 'f-1', data: { message: '鬼滅の刃みたいな漫画を教えて' } }),
    );
    const answer = await final;
    ws.close();

    const traceId = await traceWithRoot('chat-gateway', 'WS sendMessage');
    const spans = await collector.waitFor(
      traceId,
      (s) =>
        whole(s) &&
        ['publish MessageReceived', 'publish InferenceCompleted', 'session write'].every((n) =>
          has(s, 'chat-gateway', n),
        ),
    );
    expect(names(spans)).toEqual(
      expect.arrayContaining([
        'chat-gateway:WS sendMessage',
        'chat-gateway:validate request',
        'chat-gateway:model answer',
        'chat-gateway:BedrockRuntime.ConverseStream',
        'chat-gateway:session write',
        'chat-gateway:publish MessageReceived',
        'chat-gateway:publish InferenceCompleted',
      ]),
    );
    expect(
      spans.some(
        (s) =>
          s.name.startsWith('DynamoDB.') &&
          String(s.attributes['aws.dynamodb.table_names']).includes('Sessions'),
      ),
    ).toBe(true);
    expectOneTree(spans);
    const root = spans.find((s) => s.name === 'WS sendMessage')!;
    expect(root.attributes['session.id']).toBe(answer.sessionId);
    expect(root.attributes['user.hash']).toMatch(/^[0-9a-f]{16}$/);
    const model = spans.find((s) => s.name === 'model answer')!;
    expect(model.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });

    // The token was checked at the upgrade: its auth span is in the connection's trace, linked.
    expect(root.links).toHaveLength(1);
    const upgrade = await collector.waitFor(
      root.links[0].traceId,
      (s) => whole(s) && has(s, 'chat-gateway', 'auth'),
    );
    expect(names(upgrade)).toEqual(
      expect.arrayContaining(['chat-gateway:WS upgrade /v1/ws', 'chat-gateway:auth']),
    );

    // The events of this message are the ones its publish spans name.
    const published = spans.filter((s) => s.name.startsWith('publish ')).map((s) => s.attributes['event.id']);
    await new Promise((r) => setTimeout(r, 200));
    const archived = stack.router!.archived().filter((e) => published.includes(e.id));
    expect(archived.map((e) => e['detail-type']).sort()).toEqual(['InferenceCompleted', 'MessageReceived']);

    // Spans never hold the message text or the token.
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain('鬼滅');
    expect(everything).not.toContain(token);
    // Log lines inside a span carry its ids.
    const logged = logs['chat-gateway'].split('\n').filter((l) => l.includes(traceId));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0])).toMatchObject({
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('a signed review webhook is one trace through the bus, the moderation queue (twice) and the signed alert', async () => {
    const reviewId = `trace-${randomUUID().slice(0, 8)}`;
    const body = JSON.stringify({
      review_id: reviewId,
      product_id: 'manga-77',
      text: '作者はバカ。クソつまらない。',
      rating: 1,
    });
    const deliveryId = `msg_${randomUUID()}`;
    const res = await fetch(`${url('webhook-receiver')}/webhooks/reviews`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...standardWebhookHeaders(REVIEWS_SECRET, deliveryId, Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    expect(res.status).toBe(200);

    const traceId = await traceWithRoot('webhook-receiver', 'POST /webhooks/:source');
    const spans = await collector.waitFor(
      traceId,
      (s) =>
        whole(s) &&
        has(s, 'moderation-consumer', 'webhook alert') &&
        s.filter((x) => x.name === 'process message').length >= 2,
      30_000,
    );
    const consumed = spans.filter((s) => s.service === 'moderation-consumer' && s.name === 'process message');
    expect(consumed.map((s) => s.attributes['event.detail_type']).sort()).toEqual([
      'ModerationFlagged',
      'ReviewSubmitted',
    ]);
    expect(names(spans)).toEqual(
      expect.arrayContaining([
        'webhook-receiver:POST /webhooks/:source',
        'webhook-receiver:verify signature',
        'webhook-receiver:publish ReviewSubmitted',
        'moderation-consumer:BedrockRuntime.Converse',
        'moderation-consumer:publish ModerationFlagged',
        'moderation-consumer:webhook alert',
      ]),
    );
    expectOneTree(spans);
    const root = spans.find((s) => s.name === 'POST /webhooks/:source')!;
    expect(root.attributes).toMatchObject({ 'webhook.source': 'reviews', 'webhook.delivery_id': deliveryId });
    // Each hop hangs under the previous one: receiver publish -> consumer -> its publish -> consumer.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestors = (s: StoredSpan) => {
      const out: string[] = [];
      for (
        let p = s.parentSpanId && byId.get(s.parentSpanId);
        p;
        p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined
      )
        out.push(p.name);
      return out;
    };
    const second = consumed.find((s) => s.attributes['event.detail_type'] === 'ModerationFlagged')!;
    expect(ancestors(second)).toEqual(
      expect.arrayContaining([
        'publish ModerationFlagged',
        'process message',
        'publish ReviewSubmitted',
        'POST /webhooks/:source',
      ]),
    );
    const reviewUpdate = spans.find(
      (s) =>
        s.name.startsWith('DynamoDB.') &&
        String(s.attributes['aws.dynamodb.table_names']).includes('Reviews'),
    );
    expect(reviewUpdate).toBeDefined();
    // The signed alert carried the trace on to its receiver.
    const alert = sink.deliveries().find((d) => (d.body as { review_id?: string }).review_id === reviewId);
    expect(alert).toMatchObject({ signatureValid: true, traceparent: expect.stringContaining(traceId) });
    expect(JSON.stringify(spans)).not.toContain('クソ');
  });

  it('an enrichment job submitted through the admin API is one trace ending at the catalog write', async () => {
    // The admin API is staff-only: a staff token from the local dev issuer, as npm start hands out.
    const { token: staff } = (await (
      await fetch(`${url('chat-gateway')}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'trace-staff-1', roles: ['staff'] }),
      })
    ).json()) as { token: string };
    const res = await fetch(`${url('enrichment-worker')}/admin/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
      body: JSON.stringify({ mangaId: 'm-trace-1', type: 'synopsis', manga: { title: '鬼滅の刃' } }),
    });
    expect(res.status).toBeLessThan(300);
    const { jobs } = (await res.json()) as { jobs: { jobId: string }[] };
    const traceId = await traceWithRoot('enrichment-worker', 'POST /admin/jobs');
    const isCatalogWrite = (s: StoredSpan) =>
      s.service === 'enrichment-worker' &&
      s.name.startsWith('DynamoDB.') &&
      String(s.attributes['aws.dynamodb.table_names']).includes('Catalog');
    const spans = await collector.waitFor(
      traceId,
      (s) => whole(s) && s.some(isCatalogWrite) && has(s, 'enrichment-worker', 'process message'),
      30_000,
    );
    expectOneTree(spans);
    const consumer = spans.find((s) => s.name === 'process message')!;
    expect(consumer.attributes['job.id']).toBe(jobs[0].jobId);
    expect(names(spans)).toEqual(
      expect.arrayContaining([
        'enrichment-worker:SQS.SendMessageBatch',
        'enrichment-worker:BedrockRuntime.Converse',
      ]),
    );
    const write = spans.find(isCatalogWrite)!;
    const chain: string[] = [];
    for (let s = spans.find((x) => x.spanId === write.parentSpanId); s;) {
      chain.push(s.name);
      const parent = s.parentSpanId;
      s = spans.find((x) => x.spanId === parent);
    }
    expect(chain).toEqual(expect.arrayContaining(['process message', 'POST /admin/jobs']));

    const shot = process.env.TRACE_SCREENSHOT_DIR;
    if (shot) await screenshot(shot);
  });

  // Optional (TRACE_SCREENSHOT_DIR): the local trace page as a person sees it, for the review trace.
  async function screenshot(dir: string) {
    const { chromium } = await import('playwright-core');
    mkdirSync(dir, { recursive: true });
    const review = collector.store.list(500).find((t) => t.root === 'POST /webhooks/:source');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
      await page.goto(`${collector.url}/`);
      await page.screenshot({ path: join(dir, 'traces-list.png'), fullPage: true });
      await page.goto(`${collector.url}/traces/${review!.traceId}`);
      await page.screenshot({ path: join(dir, 'trace-review.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }
});
