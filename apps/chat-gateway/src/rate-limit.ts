import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the caller may try again (Retry-After), when refused. */
  retryAfterSeconds: number;
  remaining: number;
}

export interface UserRateLimiter {
  consume(userId: string): Promise<RateLimitDecision>;
}

/**
 * Per-user fixed-window limiter in Redis (shared by every gateway instance). When Redis is
 * unreachable the insurance limiter in memory takes over, so the limit still holds per instance.
 */
export function createUserRateLimiter(options: {
  redis?: Redis;
  points: number;
  windowSeconds: number;
  keyPrefix: string;
}): UserRateLimiter {
  const memory = new RateLimiterMemory({
    points: options.points,
    duration: options.windowSeconds,
    keyPrefix: `${options.keyPrefix}rl`,
  });
  const limiter = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        points: options.points,
        duration: options.windowSeconds,
        keyPrefix: `${options.keyPrefix}rl`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async consume(userId) {
      try {
        const res = await limiter.consume(userId);
        return { allowed: true, retryAfterSeconds: 0, remaining: res.remainingPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
            remaining: 0,
          };
        }
        throw rejection;
      }
    },
  };
}
