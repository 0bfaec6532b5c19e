import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { signPartner, signStripe } from '@manga-assist/webhook-signatures';
import {
  freePort,
  startLocalStack,
  startTraceCollector,
  startWebhookSink,
  type LocalStack,
  type TraceCollector,
  type WebhookSink,
} from '@manga-assist/local-stack';
import {
  containerLogs,
  docker,
  removeLabelled,
  runContainer,
  stopContainer,
  type RunningContainer,
} from './docker';

/**
 * The four images as deployed: each container runs its image's own CMD (node --single-threaded main.js, user node)
 * with --network host against the local stack on random ports, and has to do its job end to end.
 * Run by `nx run e2e:container-test` (tools/scripts/container-test.sh builds the images first and
 * passes IMAGE_TAG and BASE_IMAGE).
 */
const root = resolve(__dirname, '../../..');
const tag = process.env.IMAGE_TAG;
const baseImage = process.env.BASE_IMAGE;
if (!tag || !baseImage)
  throw new Error('IMAGE_TAG and BASE_IMAGE are required: run `npx nx run e2e:container-test`');
const runLabel = `org.manga-assist.container-test=${tag}`;
const JWT_SECRET = 'container-test-secret-0123456789abcdef-0123';
const STRIPE_SECRET = 'whsec_container_test_stripe';
const REVIEWS_SECRET = 'container-test-reviews-secret';
const OUTBOUND_SECRET = `whsec_${Buffer.from('container-test-outbound-signing-key').toString('base64')}`;
/** Each app's SHUTDOWN_TIMEOUT_MS default: the bound `docker stop` must finish within. */
const SHUTDOWN_BOUND_MS = {
  'chat-gateway': 15_000,
  'webhook-receiver': 15_000,
  'enrichment-worker': 60_000,
  'moderation-consumer': 30_000,
};
type App = keyof typeof SHUTDOWN_BOUND_MS;
const APPS = Object.keys(SHUTDOWN_BOUND_MS) as App[];

jest.setTimeout(180_000);

let stack: LocalStack;
let sink: WebhookSink;
let collector: TraceCollector;
const running = {} as Record<App, RunningContainer>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | false | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });
const token = (sub: string, roles: string[] = []) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, roles, iss: 'manga-assist', aud: 'manga-assist-chat', iat: now, exp: now + 600 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(JWT_SECRET));
};
const chat = async (url: string, sub: string, message: string) =>
  json(
    await fetch(`${url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(sub)}` },
      body: JSON.stringify({ action: 'sendMessage', data: { message } }),
    }),
  );
const postStripe = async (payload: unknown) => {
  const body = JSON.stringify(payload);
  const signature = signStripe(STRIPE_SECRET, Math.floor(Date.now() / 1000), body);
  return json(
    await fetch(`${running['webhook-receiver'].url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    }),
  );
};
const postReview = async (review: Record<string, unknown>) => {
  const body = JSON.stringify(review);
  const ts = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'x-webhook-signature': signPartner(REVIEWS_SECRET, ts, body),
    'x-webhook-timestamp': String(ts),
  };
  return json(
    await fetch(`${running['webhook-receiver'].url}/webhooks/reviews`, { method: 'POST', headers, body }),
  );
};
const submitJob = async (mangaId: string) => {
  const res = await json(
    await fetch(`${running['enrichment-worker'].url}/admin/jobs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await token('staff-1', ['staff'])}`,
      },
      body: JSON.stringify({ mangaId, type: 'synopsis', manga: { title: '鬼滅の刃' } }),
    }),
  );
  expect(res.status).toBeLessThan(300);
  return res.body.jobs[0].jobId as string;
};
const getItem = async (table: string, key: Record<string, string>) =>
  (
    await stack.clients.documentClient.send(
      new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
    )
  ).Item;
const jobStatus = async (jobId: string) =>
  (await getItem(stack.names.tables.enrichmentJobs, { jobId }))?.status as string | undefined;
const reviewItem = (reviewId: string) => getItem(stack.names.tables.reviews, { reviewId });
const busEvents = (detailType: string) =>
  (stack.router?.archived() ?? []).filter((e) => e['detail-type'] === detailType);
const uid = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  stack = await startLocalStack({ bedrock: { profile: 'zero' }, redis: 'auto' });
  sink = await startWebhookSink({ secret: OUTBOUND_SECRET });
  // Stands in for the ADOT sidecar (OTLP/HTTP on localhost): tracing on, as deployed.
  collector = await startTraceCollector();
  const tracing = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
  const appEnv: Record<App, Record<string, string>> = {
    'chat-gateway': { AUTH_JWT_SECRET: JWT_SECRET },
    'webhook-receiver': {
      WEBHOOK_SECRETS_STRIPE: STRIPE_SECRET,
      WEBHOOK_SECRETS_REVIEWS: REVIEWS_SECRET,
      WEBHOOK_SECRETS_CATALOG: 'container-test-catalog-secret',
    },
    // The admin API is staff-only (a JWT with the staff role), as deployed.
    'enrichment-worker': { AUTH_JWT_SECRET: JWT_SECRET },
    'moderation-consumer': {
      ALERT_WEBHOOK_URL: `${sink.url}/alerts`,
      ALERT_WEBHOOK_SECRET: OUTBOUND_SECRET,
      CRM_WEBHOOK_URL: `${sink.url}/crm`,
      CRM_WEBHOOK_SECRET: OUTBOUND_SECRET,
    },
  };
  const started = await Promise.allSettled(
    APPS.map(async (app) => {
      running[app] = await runContainer({
        image: `manga-assist/${app}:${tag}`,
        name: `ct-${app}-${tag}`,
        port: await freePort(),
        env: { ...stack.env, ...tracing, LOG_LEVEL: 'info', ...appEnv[app] },
        labels: { 'org.manga-assist.container-test': tag },
      });
    }),
  );
  const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
  if (failures.length) throw new Error(failures.join('\n\n'));
}, 120_000);

afterAll(async () => {
  await removeLabelled(runLabel).catch((error) => console.error(error));
  await sink?.stop();
  await collector?.stop();
  await stack?.stop();
});

describe('the four images, run as deployed', () => {
  it('each runs as the non-root node user with the OCI labels of its app and revision', async () => {
    for (const app of APPS) {
      const [user, title, revision] = (
        await docker(
          'inspect',
          '-f',
          '{{.Config.User}}|{{index .Config.Labels "org.opencontainers.image.title"}}|{{index .Config.Labels "org.opencontainers.image.revision"}}',
          running[app].name,
        )
      ).split('|');
      expect({ app, user, title, revision: /^[0-9a-f]{40}$/.test(revision) }).toEqual({
        app,
        user: 'node',
        title: app,
        revision: true,
      });
      expect(await docker('exec', running[app].name, 'id', '-u')).toBe('1000');
    }
  });

  it('each carries the CycloneDX SBOM of its bundle where its label says', async () => {
    for (const app of APPS) {
      const path = await docker(
        'inspect',
        '-f',
        '{{index .Config.Labels "dev.cyclonedx.sbom"}}',
        running[app].name,
      );
      const sbom = JSON.parse(await docker('exec', running[app].name, 'cat', path)) as {
        bomFormat: string;
        components: { name: string; version: string; purl: string }[];
      };
      expect(sbom.bomFormat).toBe('CycloneDX');
      // Only what the bundle contains: the AWS SDK is in every app, jest (a dev dependency) in none.
      const names = sbom.components.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb']));
      expect(names).not.toContain('jest');
      expect(sbom.components.every((c) => c.version && c.purl.startsWith('pkg:npm/'))).toBe(true);
    }
  });

  it('chat-gateway answers a message over REST and streams one over the WebSocket', async () => {
    const url = running['chat-gateway'].url;
    const rest = await chat(url, 'reader-1', '新刊マンガ🎉おすすめ!');
    expect(rest.status).toBe(200);
    expect(rest.body.text.length).toBeGreaterThan(0);
    expect(rest.body.model).toMatch(/haiku/);

    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, {
      headers: { authorization: `Bearer ${await token('reader-2')}` },
    });
    const frames: any[] = [];
    const done = new Promise<void>((resolveDone, reject) => {
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        frames.push(frame);
        if (frame.type === 'final') resolveDone();
        if (frame.type === 'error') reject(new Error(JSON.stringify(frame)));
      });
      ws.once('error', reject);
    });
    await new Promise((r, reject) => (ws.once('open', r), ws.once('error', reject)));
    ws.send(
      JSON.stringify({ id: 'm1', action: 'sendMessage', data: { message: 'おすすめの少年マンガを教えて' } }),
    );
    await done;
    ws.close();
    const deltas = frames.filter((f) => f.type === 'delta');
    expect(frames[0]).toMatchObject({ type: 'start' });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.text).join('')).toBe(frames[frames.length - 1].text);
  });

  it('webhook-receiver accepts a signed Stripe webhook and its PaymentCompleted is on the bus (and reaches the CRM via moderation-consumer)', async () => {
    const id = uid('evt');
    const res = await postStripe({
      id,
      object: 'event',
      type: 'checkout.session.completed',
      data: {
        object: {
          id: `cs_${id}`,
          object: 'checkout.session',
          amount_total: 1500,
          currency: 'jpy',
          customer_email: 'reader@example.jp',
          payment_intent: `pi_${id}`,
          metadata: { order_id: `order-${id}` },
        },
      },
    });
    expect(res).toMatchObject({ status: 200, body: { status: 'processed' } });
    const forged = await fetch(`${running['webhook-receiver'].url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': signStripe('whsec_wrong', Math.floor(Date.now() / 1000), '{}') },
      body: '{}',
    });
    expect(forged.status).toBe(403);
    const [event] = await waitFor('PaymentCompleted on the bus', async () => {
      const found = busEvents('PaymentCompleted').filter(
        (e) => (e.detail as { order_id?: string }).order_id === `order-${id}`,
      );
      return found.length > 0 && found;
    });
    expect(event.detail).toMatchObject({ amount_minor: 1500, currency: 'JPY' });
    const crm = await waitFor('the CRM confirmation', async () =>
      sink
        .deliveries()
        .find((d) => d.path.startsWith('/crm') && JSON.stringify(d.body).includes(`order-${id}`)),
    );
    expect(crm.signatureValid).toBe(true);
  });

  it('enrichment-worker completes an enrichment job', async () => {
    const jobId = await submitJob(uid('m'));
    const job = await waitFor('the job to complete', async () => {
      const res = await json(
        await fetch(`${running['enrichment-worker'].url}/admin/jobs/${jobId}`, {
          headers: { authorization: `Bearer ${await token('staff-1', ['staff'])}` },
        }),
      );
      return ['completed', 'failed'].includes(res.body.status) && res.body;
    });
    expect(job).toMatchObject({ status: 'completed' });
  });

  it('moderation-consumer moderates a review that came in as a signed webhook', async () => {
    const reviewId = uid('rev');
    const res = await postReview({
      review_id: reviewId,
      product_id: 'manga-77',
      text: 'とても面白かった！絵も綺麗です。',
      rating: 5,
    });
    expect(res.status).toBe(200);
    const item = await waitFor('the verdict', async () => {
      const it = await reviewItem(reviewId);
      return it?.status && it;
    });
    expect(item).toMatchObject({ status: 'approved', moderation: { safe: true } });
  });

  it('each exports its traces over OTLP (the OpenTelemetry SDK runs from the bundle alone)', async () => {
    const services = await waitFor(
      'spans from all four services',
      async () => {
        const seen = new Set(collector.store.list(500).flatMap((t) => t.services));
        return APPS.every((app) => seen.has(app)) && seen;
      },
      30_000,
    ).catch(() => new Set(collector.store.list(500).flatMap((t) => t.services)));
    expect([...services].filter((s) => (APPS as string[]).includes(s)).sort()).toEqual([...APPS].sort());
  });

  it("each image's HEALTHCHECK (node, no curl) reports healthy", async () => {
    for (const app of APPS) {
      const health = await waitFor(
        `${app} healthy`,
        async () => {
          const status = await docker('inspect', '-f', '{{.State.Health.Status}}', running[app].name);
          return status !== 'starting' && status;
        },
        40_000,
      );
      expect({ app, health }).toEqual({ app, health: 'healthy' });
    }
  });

  it('docker stop: every container exits 0 within its shutdown bound and finishes the work it had in flight', async () => {
    // Every model call now takes 2 s, so work is still running when SIGTERM arrives.
    stack.bedrock?.setFaults({ extraLatencyMs: 2000 });
    const jobId = await submitJob(uid('m'));
    const queuedReview = uid('rev');
    expect(
      (
        await postReview({
          review_id: queuedReview,
          product_id: 'manga-1',
          text: '普通に楽しめました。',
          rating: 4,
        })
      ).status,
    ).toBe(200);
    await waitFor('the job in progress', async () => (await jobStatus(jobId)) === 'in_progress');
    await waitFor(
      'the review being moderated',
      async () => (stack.bedrock?.stats().inFlight ?? 0) >= 2,
      10_000,
    ).catch(() => undefined);
    const inFlightChat = chat(running['chat-gateway'].url, 'reader-3', '長い話をしてください');
    const inFlightReview = uid('rev');
    const inFlightWebhook = postReview({
      review_id: inFlightReview,
      product_id: 'manga-2',
      text: '最高でした',
      rating: 5,
    });
    await sleep(300);

    const stops = await Promise.all(
      APPS.map(async (app) => ({
        app,
        ...(await stopContainer(running[app].name, Math.ceil(SHUTDOWN_BOUND_MS[app] / 1000) + 5)),
      })),
    );
    for (const stop of stops) {
      const logs = stop.exitCode === 0 ? '' : await containerLogs(running[stop.app].name);
      expect({
        app: stop.app,
        exitCode: stop.exitCode,
        withinBound: stop.ms < SHUTDOWN_BOUND_MS[stop.app],
        logs,
      }).toEqual({
        app: stop.app,
        exitCode: 0,
        withinBound: true,
        logs: '',
      });
    }
    console.log(`docker stop took ${stops.map((s) => `${s.app} ${s.ms} ms`).join(', ')}`);

    // Nothing in flight was lost: the answer, the accepted webhook, the job, the verdict.
    const answered = await inFlightChat;
    expect(answered.status).toBe(200);
    expect(answered.body.text.length).toBeGreaterThan(0);
    expect((await inFlightWebhook).status).toBe(200);
    expect(busEvents('ReviewSubmitted').some((e) => JSON.stringify(e.detail).includes(inFlightReview))).toBe(
      true,
    );
    expect(await jobStatus(jobId)).toBe('completed');
    expect(await reviewItem(queuedReview)).toMatchObject({ status: 'approved' });
    stack.bedrock?.resetFaults();
  });
});

describe('a bundle that cannot start', () => {
  it('fails the run: the container exits and its error is reported', async () => {
    // What a bundle that needs a file beside main.js looks like when the file is not in the image.
    const dir = mkdtempSync(join(tmpdir(), 'broken-bundle-'));
    const image = `manga-assist/broken-bundle:${tag}`;
    try {
      writeFileSync(join(dir, 'main.js'), "require('./templates/page.json');\n");
      writeFileSync(join(dir, 'sbom.cdx.json'), JSON.stringify({ bomFormat: 'CycloneDX', components: [] }));
      await docker(
        'build',
        '--network',
        'host',
        '-q',
        '-f',
        join(root, 'apps', 'Dockerfile'),
        '--build-arg',
        `BASE_IMAGE=${baseImage}`,
        '--build-arg',
        'APP=broken-bundle',
        '-t',
        image,
        dir,
      );
      await expect(
        runContainer({
          image,
          name: `ct-broken-${tag}`,
          port: await freePort(),
          env: {},
          labels: { 'org.manga-assist.container-test': tag },
          readyTimeoutMs: 20_000,
        }),
      ).rejects.toThrow(
        /stopped before it was ready \(exited 1\)[\s\S]*Cannot find module '\.\/templates\/page\.json'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await removeLabelled(runLabel);
      await docker('rmi', '-f', image).catch(() => undefined);
    }
  });
});
