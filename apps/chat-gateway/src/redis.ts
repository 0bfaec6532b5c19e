import { Redis } from 'ioredis';
import type { Logger } from '@manga-assist/service-runtime';

/**
 * A Redis client that fails fast while Redis is down (no offline queue, one attempt per command)
 * and keeps reconnecting in the background, so callers degrade instead of hanging.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 500,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down)
      logger.warn({ err: error.message }, 'redis unavailable: running without cache, local rate limiter');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis reachable again');
    down = false;
  });
  return redis;
}

/**
 * Waits (bounded) for the first connection, so that the first requests after start-up use the
 * shared Redis limiter and cache rather than the per-instance fallback. Redis that is down or slow
 * delays start-up by at most `timeoutMs`: the service then starts degraded.
 */
export function waitForRedis(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ready);
    };
    const onReady = () => done(true);
    // A refused connection will not become ready within the bound: start degraded at once.
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** Non-critical readiness check: Redis down makes the service "degraded", not unready. */
export function redisCheck(redis: Redis | undefined) {
  return {
    name: 'redis',
    critical: false,
    check: async () => {
      if (!redis) throw new Error('REDIS_URL not configured');
      if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
      await redis.ping();
    },
  };
}
