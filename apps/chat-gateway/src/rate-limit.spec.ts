import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DEFAULT_REDIS_URL } from '@manga-assist/local-stack';
import { createUserRateLimiter, type UserRateLimiter } from './rate-limit';

describe('per-user rate limiter in Redis, with admission ahead of the round trip', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    redis = new Redis(DEFAULT_REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping(); // ready: the limiter would use its in-memory insurance before that
  });
  beforeEach(() => {
    prefix = `test:${randomUUID().slice(0, 8)}:`;
  });
  afterAll(() => redis.quit());

  const limiter = (points: number) =>
    createUserRateLimiter({ redis, points, windowSeconds: 30, keyPrefix: prefix });
  const allowedOf = async (limiters: UserRateLimiter[], n: number, user = 'u1') => {
    let allowed = 0;
    for (let i = 0; i < n; i++) if ((await limiters[i % limiters.length].consume(user)).allowed) allowed++;
    return allowed;
  };
  /** What Redis counted for the user (every admitted request is consumed there, ahead or behind). */
  const counted = async (user = 'u1') => Number(await redis.get(`${prefix}rl:${user}`));

  it('admits exactly the limit on one instance, and Redis counts every request', async () => {
    const one = limiter(20);
    expect(await allowedOf([one], 30)).toBe(20);
    const refused = await one.consume('u1');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(await counted()).toBe(31);
    // Another user has a window of their own.
    expect((await one.consume('u2')).allowed).toBe(true);
  });

  it('admits exactly the limit across two instances taking turns (the margin covers what the other counted)', async () => {
    expect(await allowedOf([limiter(20), limiter(20)], 30)).toBe(20);
  });

  it('admits without Redis only above the margin: burst of concurrent requests stays within the limit', async () => {
    const one = limiter(20);
    await one.consume('u1'); // learns the window
    const burst = await Promise.all(Array.from({ length: 40 }, () => one.consume('u1')));
    expect(burst.filter((d) => d.allowed)).toHaveLength(19);
    expect(await counted()).toBe(41);
  });

  it('writes the consume of a request admitted ahead of Redis after the work it started, then counts it', async () => {
    const one = limiter(20);
    await one.consume('u1'); // learns the window
    expect((await one.consume('u1')).allowed).toBe(true);
    // This GET is written now, before the admitted request's consume (it leaves at setImmediate).
    expect(await counted()).toBe(1);
    expect(await counted()).toBe(2);
  });

  it('sends the point admitted ahead with the next request that waits for Redis, so Redis counts in admission order', async () => {
    const one = limiter(3 + 5);
    await one.consume('u1'); // learns: 7 left
    // Admitted ahead (its consume not written yet), then one that must wait: both counted by its consume.
    const [ahead, waiting] = await Promise.all([one.consume('u1'), one.consume('u1')]);
    expect([ahead.allowed, waiting.allowed]).toEqual([true, true]);
    expect(waiting.remaining).toBe(5);
    expect(await counted()).toBe(3);
  });

  it('waits for Redis on every request with a margin of 0 or a limit within the margin', async () => {
    const exact = createUserRateLimiter({
      redis,
      points: 4,
      windowSeconds: 30,
      keyPrefix: prefix,
      localMargin: 0,
    });
    expect(await allowedOf([exact], 6)).toBe(4);
    expect(await allowedOf([limiter(3)], 5, 'u3')).toBe(3);
  });
});
