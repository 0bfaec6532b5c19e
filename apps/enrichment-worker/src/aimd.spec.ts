import { createAimdLimiter } from './aimd';

describe('AIMD limiter', () => {
  it('halves on a throttle, once per cooldown window, within bounds', () => {
    let t = 0;
    const aimd = createAimdLimiter({ min: 2, max: 100, increaseEvery: 5, cooldownMs: 1000, now: () => t });
    aimd.onThrottle();
    aimd.onThrottle(); // same burst
    expect(aimd.limit).toBe(50);
    t += 1000;
    aimd.onThrottle();
    expect(aimd.limit).toBe(25);
    for (let i = 0; i < 10; i++) {
      t += 1000;
      aimd.onThrottle();
    }
    expect(aimd.limit).toBe(2);
    expect(aimd.throttles).toBe(13);
  });

  it('adds one per N successes up to the max; N defaults to the limit (one step per round trip)', () => {
    const fixed = createAimdLimiter({ min: 1, max: 12, initial: 10, increaseEvery: 3 });
    for (let i = 0; i < 9; i++) fixed.onSuccess();
    expect(fixed.limit).toBe(12);
    const perRtt = createAimdLimiter({ min: 1, max: 100, initial: 10, increaseEvery: 0 });
    for (let i = 0; i < 9; i++) perRtt.onSuccess();
    expect(perRtt.limit).toBe(10);
    perRtt.onSuccess();
    expect(perRtt.limit).toBe(11);
  });

  it('gates callers at the current limit and lets waiters in as slots free or the limit grows', async () => {
    const aimd = createAimdLimiter({ min: 1, max: 3, initial: 2, increaseEvery: 1 });
    const a = await aimd.acquire();
    await aimd.acquire();
    let third = false;
    const pending = aimd.acquire().then((release) => {
      third = true;
      return release;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    aimd.onSuccess(); // limit 3
    (await pending)();
    expect(third).toBe(true);
    a();
    expect(aimd.running).toBe(1);
  });

  it('rejects a waiter whose signal aborts', async () => {
    const aimd = createAimdLimiter({ min: 1, max: 1, increaseEvery: 1 });
    await aimd.acquire();
    const controller = new AbortController();
    const waiting = aimd.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
