import { createRetryHint } from './retry-hint';

describe('Retry-After for a delivery being processed', () => {
  it('is 1 s before anything was measured and when processing takes under a second', () => {
    const hint = createRetryHint();
    expect(hint.seconds('reviews', { elapsedMs: 0, claimRemainingMs: 60_000 })).toBe(1);
    for (let i = 0; i < 50; i++) hint.observe('reviews', 200 + i * 10);
    expect(hint.seconds('reviews', { elapsedMs: 100, claimRemainingMs: 59_900 })).toBe(1);
  });

  it('follows the 90th percentile of what processing took, less the time already spent, per source', () => {
    const hint = createRetryHint();
    for (let i = 0; i < 100; i++) hint.observe('catalog', i < 90 ? 1000 : 8000);
    expect(hint.seconds('catalog', { elapsedMs: 0, claimRemainingMs: 60_000 })).toBe(8);
    expect(hint.seconds('catalog', { elapsedMs: 5000, claimRemainingMs: 55_000 })).toBe(3);
    expect(hint.seconds('reviews', { elapsedMs: 0, claimRemainingMs: 60_000 })).toBe(1);
  });

  it('never points past the claim expiry, and forgets old measurements', () => {
    const hint = createRetryHint(10);
    for (let i = 0; i < 10; i++) hint.observe('stripe', 30_000);
    expect(hint.seconds('stripe', { elapsedMs: 0, claimRemainingMs: 4_500 })).toBe(5);
    for (let i = 0; i < 10; i++) hint.observe('stripe', 300);
    expect(hint.seconds('stripe', { elapsedMs: 0, claimRemainingMs: 60_000 })).toBe(1);
  });
});
