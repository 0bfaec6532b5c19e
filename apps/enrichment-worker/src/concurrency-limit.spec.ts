import {
  createConcurrencyLimit,
  type ConcurrencyLimit,
  type ConcurrencyLimitOptions,
} from './concurrency-limit';

interface Throttling {
  /** Share of calls throttled whatever the load. */
  rate?: number;
  /** Calls in flight the service accepts; beyond it, throttled. */
  quota?: number;
  /** Calls per second the service accepts (sliding second). */
  perSecond?: number;
}

/**
 * A discrete-event run on a fake clock: `workers` jobs at a time call a model that answers after
 * `latencyMs`, or at once with a throttle; a throttled call backs off holding its slot and retries
 * in place, as the processor does. The throttling can change at given times.
 */
async function simulate({
  seconds,
  latencyMs = 2000,
  workers = 120,
  throttling,
  limit: overrides = {},
  sampleFrom = 0,
}: {
  seconds: number;
  latencyMs?: number;
  workers?: number;
  throttling: (t: number) => Throttling;
  limit?: Partial<ConcurrencyLimitOptions>;
  sampleFrom?: number;
}) {
  let t = 0;
  let seq = 0;
  const timers: { at: number; seq: number; fn: () => void }[] = [];
  const after = (ms: number) =>
    new Promise<void>((resolve) => timers.push({ at: t + ms, seq: seq++, fn: resolve }));
  // Low-discrepancy sequences (one for throttling, one for jitter, so they do not correlate):
  // spread like random draws, the same every run.
  const sequence = (step: number) => {
    let u = 0.5;
    return () => (u = (u + step) % 1);
  };
  const draw = sequence(0.6180339887);
  const jitter = sequence(0.4142135624);
  const limiter = createConcurrencyLimit({
    min: 1,
    max: 100,
    initial: 10,
    windowMs: 1000,
    tolerance: 0.02,
    now: () => t,
    schedule: (ms, fn) => timers.push({ at: t + ms, seq: seq++, fn }),
    ...overrides,
  });
  let inFlight = 0;
  const accepted: number[] = [];
  const stats = { completed: 0, calls: 0, throttled: 0, limits: [] as number[], sampledCompleted: 0 };
  const callModel = async (): Promise<boolean> => {
    const f = throttling(t);
    stats.calls++;
    while (accepted.length && accepted[0] <= t - 1000) accepted.shift();
    const throttled =
      (f.rate !== undefined && draw() < f.rate) ||
      (f.quota !== undefined && inFlight >= f.quota) ||
      (f.perSecond !== undefined && accepted.length >= f.perSecond);
    if (throttled) {
      stats.throttled++;
      await after(1);
      return false;
    }
    accepted.push(t);
    inFlight++;
    await after(latencyMs);
    inFlight--;
    return true;
  };
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      for (let attempt = 0; ; attempt++) {
        const permit = await limiter.acquire();
        if (await callModel()) {
          permit.record('success');
          permit.release();
          break;
        }
        permit.record('throttled');
        await after(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + jitter()));
        permit.release();
      }
      stats.completed++;
      if (t >= sampleFrom * 1000) stats.sampledCompleted++;
    }
  };
  for (let i = 0; i < workers; i++) void worker();
  let nextSample = 0;
  const limits: { t: number; limit: number }[] = [];
  while (t < seconds * 1000) {
    await new Promise((r) => setImmediate(r));
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) break;
    t = next.at;
    next.fn();
    while (nextSample <= t) {
      limits.push({ t: nextSample, limit: limiter.limit });
      nextSample += 250;
    }
  }
  stopped = true;
  return { ...stats, limiter, limits, jobsPerSecond: stats.sampledCompleted / (seconds - sampleFrom) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const limitsBetween = (run: { limits: { t: number; limit: number }[] }, from: number, to: number) =>
  run.limits.filter((s) => s.t >= from * 1000 && s.t < to * 1000).map((s) => s.limit);

describe('concurrency limit (fake clock, simulated model)', () => {
  it('slow start: doubles per clean window from the initial value up to the max', async () => {
    const run = await simulate({ seconds: 20, throttling: () => ({}) });
    expect(run.throttled).toBe(0);
    expect(run.limiter.limit).toBe(100);
    // 10, 20, 40, 80, 100: one window (about a round trip, 2 s) each.
    const reachedMax = run.limits.find((s) => s.limit === 100)!.t;
    expect(reachedMax).toBeLessThanOrEqual(12_000);
    expect(run.limiter.decreases).toBe(0);
  });

  it('load-independent throttling (30%): keeps the full limit and most of the throughput', async () => {
    const clear = await simulate({ seconds: 60, sampleFrom: 10, throttling: () => ({}) });
    const run = await simulate({ seconds: 60, sampleFrom: 10, throttling: () => ({ rate: 0.3 }) });
    expect(run.limiter.mode).toBe('background');
    expect(run.limiter.backgroundRate).toBeGreaterThan(0.2);
    expect(run.limiter.backgroundRate).toBeLessThan(0.4);
    expect(mean(limitsBetween(run, 20, 60))).toBeGreaterThanOrEqual(95);
    expect(run.jobsPerSecond / clear.jobsPerSecond).toBeGreaterThanOrEqual(0.9);
  });

  it('load-independent throttling with less work than the limit is not taken for a quota', async () => {
    const run = await simulate({ seconds: 60, workers: 30, throttling: () => ({ rate: 0.3 }) });
    expect(run.limiter.mode).toBe('background');
    expect(run.limiter.ceiling).toBeUndefined();
    expect(Math.min(...limitsBetween(run, 20, 60))).toBeGreaterThanOrEqual(30);
  });

  it('concurrency quota of 20: settles just under it with few throttled calls', async () => {
    const run = await simulate({ seconds: 120, throttling: () => ({ quota: 20 }) });
    const settled = limitsBetween(run, 30, 120);
    expect(mean(settled)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...settled)).toBeLessThanOrEqual(24);
    expect(run.limiter.ceiling).toBeGreaterThanOrEqual(18);
    expect(run.throttled / run.calls).toBeLessThanOrEqual(0.05);
    // Throughput against the quota's: 20 calls per 2 s round trip.
    expect(run.completed / 120 / (20 / 2)).toBeGreaterThanOrEqual(0.9);
  });

  it('rate quota of 10 calls/s with 1 s calls: settles near 10 in flight, few throttled', async () => {
    const run = await simulate({ seconds: 90, latencyMs: 1000, throttling: () => ({ perSecond: 10 }) });
    const settled = limitsBetween(run, 30, 90);
    expect(mean(settled)).toBeGreaterThanOrEqual(8);
    expect(mean(settled)).toBeLessThanOrEqual(13);
    expect(run.throttled / run.calls).toBeLessThanOrEqual(0.08);
  });

  it('rate quota of 10 calls/s with 2 s calls: starts are paced, so the limit passes one round per second', async () => {
    const run = await simulate({ seconds: 180, throttling: () => ({ perSecond: 10 }) });
    const settled = limitsBetween(run, 90, 180);
    expect(mean(settled)).toBeGreaterThanOrEqual(15);
    expect(run.throttled / run.calls).toBeLessThanOrEqual(0.05);
    expect(run.completed / 180 / 10).toBeGreaterThanOrEqual(0.8);
  });

  it('back to the full limit within 30 s once a quota is lifted', async () => {
    const run = await simulate({
      seconds: 100,
      throttling: (t) => (t < 60_000 ? { quota: 20 } : {}),
    });
    expect(Math.max(...limitsBetween(run, 40, 60))).toBeLessThanOrEqual(24);
    const back = run.limits.find((s) => s.t >= 60_000 && s.limit === 100);
    expect(back).toBeDefined();
    expect(back!.t - 60_000).toBeLessThanOrEqual(30_000);
  });

  it('a quota that appears under load-independent throttling is found too', async () => {
    const run = await simulate({
      seconds: 120,
      throttling: (t) => (t < 30_000 ? { rate: 0.3 } : { quota: 20 }),
    });
    expect(run.limits.find((s) => s.t === 29_000)!.limit).toBe(100);
    expect(mean(limitsBetween(run, 60, 120))).toBeLessThanOrEqual(24);
    expect(mean(limitsBetween(run, 60, 120))).toBeGreaterThanOrEqual(15);
  });
});

describe('concurrency limit gate', () => {
  const gate = (limit: number): ConcurrencyLimit =>
    createConcurrencyLimit({
      min: 1,
      max: limit,
      initial: limit,
      windowMs: 1000,
      tolerance: 0.02,
      now: () => 0,
    });

  it('holds callers at the limit and lets the next in as a slot is released', async () => {
    const limiter = gate(2);
    const a = await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const pending = limiter.acquire().then((p) => {
      third = true;
      return p;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    a.record('throttled');
    await Promise.resolve();
    expect(third).toBe(false); // a throttled call keeps its slot while it backs off
    a.release();
    (await pending).release();
    expect(third).toBe(true);
    expect(limiter.running).toBe(1);
    expect(limiter.throttles).toBe(1);
  });

  it('rejects a waiter whose signal aborts', async () => {
    const limiter = gate(1);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('refuses bounds that cannot hold a call', () => {
    expect(() =>
      createConcurrencyLimit({ min: 0, max: 5, initial: 1, windowMs: 1, tolerance: 0, now: () => 0 }),
    ).toThrow(RangeError);
  });
});
