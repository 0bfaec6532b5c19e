import { startWebhookTestServer, type WebhookTestServer } from '../test-support/webhook-server';
import { backoffDelay, createWebhookSender, parseRetryAfter, type AttemptInfo } from './webhook-sender';

const SECRET = `whsec_${Buffer.from('moderation-consumer-test-secret!').toString('base64')}`;
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelay', () => {
  it('doubles per attempt, is capped, and jitters within [exp/2, exp]', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});

describe('webhook sender against a real HTTP server', () => {
  let server: WebhookTestServer;
  beforeEach(async () => {
    server = await startWebhookTestServer(SECRET);
  });
  afterEach(() => server.close());

  function sender(overrides: Partial<Parameters<typeof createWebhookSender>[0]> = {}) {
    const sleeps: number[] = [];
    const attempts: AttemptInfo[] = [];
    const s = createWebhookSender({
      target: 'alert',
      url: server.url,
      secret: SECRET,
      retry: policy,
      timeoutMs: 2000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onAttempt: (a) => attempts.push(a),
      ...overrides,
    });
    return { s, sleeps, attempts };
  }

  it('delivers a signed JSON body the receiver can verify', async () => {
    const { s } = sender();
    const result = await s.send('msg_evt-1', { hello: 'こんにちは' });
    expect(result).toEqual({ delivered: true, attempts: 1, status: 204 });
    const [got] = server.received;
    expect(got.verification).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(got.headers['webhook-id']).toBe('msg_evt-1');
    expect(got.json).toEqual({ hello: 'こんにちは' });
  });

  it('retries 5xx and 429 with growing delays, keeping the same webhook-id, until it succeeds', async () => {
    server.respondWith((n) => (n === 1 ? 503 : n === 2 ? 429 : 200));
    const { s, sleeps, attempts } = sender();
    const result = await s.send('msg_evt-2', { n: 2 });
    expect(result).toEqual({ delivered: true, attempts: 3, status: 200 });
    expect(sleeps).toEqual([75, 150]);
    expect(attempts.map((a) => a.status)).toEqual([503, 429, 200]);
    expect(new Set(server.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(['msg_evt-2']));
    expect(server.received.every((r) => r.verification.ok)).toBe(true);
  });

  it('gives up after maxAttempts when the endpoint keeps failing, reporting the last status', async () => {
    server.respondWith(500);
    const { s, sleeps } = sender();
    const result = await s.send('msg_evt-3', {});
    expect(result).toEqual({
      delivered: false,
      attempts: 4,
      permanent: false,
      status: 500,
      error: 'HTTP 500',
    });
    expect(sleeps).toEqual([75, 150, 300]);
    expect(server.received).toHaveLength(4);
  });

  it('does not retry a permanent 4xx', async () => {
    server.respondWith(410);
    const { s, sleeps } = sender();
    const result = await s.send('msg_evt-4', {});
    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: true, status: 410 });
    expect(sleeps).toEqual([]);
  });

  it('retries connection failures when the endpoint is down', async () => {
    const url = server.url;
    await server.close();
    const { s, sleeps, attempts } = sender({ url });
    const result = await s.send('msg_evt-5', {});
    expect(result).toMatchObject({ delivered: false, attempts: 4, permanent: false });
    expect(sleeps).toHaveLength(3);
    expect(attempts.every((a) => a.error && a.status === undefined)).toBe(true);
    server = await startWebhookTestServer(SECRET); // for afterEach
  });

  it('re-signs every attempt with the current timestamp', async () => {
    server.respondWith((n) => (n === 1 ? 500 : 200));
    let now = 1_700_000_000_000;
    const { s } = sender({
      nowMs: () => now,
      sleep: async (ms) => {
        now += ms + 60_000;
      },
    });
    await s.send('msg_evt-6', {});
    const stamps = server.received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps[1] - stamps[0]).toBeGreaterThanOrEqual(60);
  });

  it('refuses to start with a malformed secret', () => {
    expect(() => sender({ secret: 'plain-secret' })).toThrow(/whsec_/);
  });
});
