import {
  checkoutCompleted,
  drainQueue,
  sendStripe,
  startHarness,
  type Harness,
  type Sent,
} from './test-support/harness';

// docs/architecture.md#reliability: 25% duplicate deliveries at 50 concurrent -> exactly one event each.
// WEBHOOK_DUP_DELIVERIES scales it (default: the full 500).
const TOTAL = Number(process.env.WEBHOOK_DUP_DELIVERIES ?? 500);
const CONCURRENCY = 50;
const DUPLICATE_SHARE = 0.25;

/** Deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('exactly once under duplicate deliveries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SENTIMENT_ENABLED: 'false' });
  });
  afterAll(() => h.stop());

  it(`${TOTAL} deliveries with 25% duplicates, 50 at a time: one event per unique delivery reaches the queue`, async () => {
    const run = Date.now();
    const uniqueCount = Math.round(TOTAL * (1 - DUPLICATE_SHARE));
    const unique = Array.from({ length: uniqueCount }, (_, i) => `evt_${run}_${i}`);
    const duplicates = Array.from({ length: TOTAL - uniqueCount }, (_, i) => unique[(i * 7) % uniqueCount]);
    const deliveries = shuffle([...unique, ...duplicates], 20261104);

    // A sender like Stripe: 409 (in progress) and 5xx are retried after a pause; 200 ends it.
    const deliver = async (eventId: string): Promise<Sent[]> => {
      const answers: Sent[] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await sendStripe(h.url, checkoutCompleted(eventId));
        answers.push(res);
        if (res.status === 200) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      return answers;
    };

    const answers: Sent[][] = [];
    for (let i = 0; i < deliveries.length; i += CONCURRENCY) {
      answers.push(...(await Promise.all(deliveries.slice(i, i + CONCURRENCY).map(deliver))));
    }
    const finals = answers.map((a) => a[a.length - 1]);
    expect(finals.every((f) => f.status === 200)).toBe(true);
    expect(finals.filter((f) => f.body.status === 'processed')).toHaveLength(uniqueCount);
    expect(finals.filter((f) => f.body.status === 'already_processed')).toHaveLength(TOTAL - uniqueCount);
    const statuses = new Set(answers.flat().map((a) => a.status));
    expect([...statuses].every((s) => s === 200 || s === 409)).toBe(true);

    const events = await drainQueue(h.stack, h.stack.queueUrls[h.stack.names.queues.moderation]);
    const ids = events.map((e) => (e.detail as { stripe_event_id: string }).stripe_event_id);
    expect(ids).toHaveLength(uniqueCount);
    expect(new Set(ids)).toEqual(new Set(unique));
  }, 300_000);
});
